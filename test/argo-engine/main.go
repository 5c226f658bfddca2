// Command argo-engine hosts Argo's real notifications-engine controller the way the seed article does (a Pod
// watcher built on github.com/argoproj/notifications-engine, 10 workers), so that the end-to-end benchmark
// (test/bench/src/e2e-bench.ts) can run the same scenarios against it and against Herald. It is our own host,
// not Argo CD: one namespace, an informer on its Pods, the notifications ConfigMap and Secret read through the
// engine's API factory (which watches them), the `notified` annotation written by the engine itself.
//
// With --self-service it is Argo CD's self-service notifications instead: Pods of every namespace, each namespace's
// own ConfigMap and Secret applied besides those of --namespace (the engine's namespace support); the e2e tier runs
// Herald's self-service against it (test/e2e/src/argo-self-service.e2e.test.ts).
//
// It prints one JSON line {"event":"synced"} on stdout once every informer has synced; the benchmark times
// start → synced from it. The engine's own logs go to stderr at warning level (info logs one line per Pod per
// evaluation, which would be a benchmark of logrus).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/argoproj/notifications-engine/pkg/api"
	"github.com/argoproj/notifications-engine/pkg/controller"
	"github.com/argoproj/notifications-engine/pkg/services"
	log "github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "path to a kubeconfig")
	namespace := flag.String("namespace", "default", "the namespace whose Pods are watched and which holds the ConfigMap and Secret")
	configMap := flag.String("configmap", "pod-notifications-cm", "the notifications ConfigMap's name")
	secret := flag.String("secret", "pod-notifications-secret", "the notifications Secret's name")
	// client-go's defaults (what the seed runs with): 5 requests/s, bursts of 10. Every notification costs one
	// PATCH (the `notified` annotation), so this caps the engine's throughput.
	qps := flag.Float64("qps", 5, "Kubernetes client queries per second")
	burst := flag.Int("burst", 10, "Kubernetes client burst")
	workers := flag.Int("workers", 10, "controller workers (the seed's 10)")
	resync := flag.Duration("resync", time.Minute, "informer resync period (the seed's one minute)")
	// Argo CD's --self-service-notification-enabled: Pods of every namespace, and the ConfigMap and Secret of the
	// same names in each object's namespace applied besides those of --namespace (the engine's namespace support).
	selfService := flag.Bool("self-service", false, "watch every namespace and apply each namespace's own ConfigMap and Secret to its Pods")
	flag.Parse()
	log.SetLevel(log.WarnLevel)

	restConfig, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail(fmt.Errorf("kubeconfig: %w", err))
	}
	restConfig.QPS = float32(*qps)
	restConfig.Burst = *burst

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	watched := *namespace
	if *selfService {
		watched = metav1.NamespaceAll
	}
	configInformers := informers.NewSharedInformerFactoryWithOptions(kubernetes.NewForConfigOrDie(restConfig), *resync, informers.WithNamespace(watched))
	secrets := configInformers.Core().V1().Secrets().Informer()
	configMaps := configInformers.Core().V1().ConfigMaps().Informer()
	factory := api.NewFactory(api.Settings{
		ConfigMapName: *configMap,
		SecretName:    *secret,
		// The seed's variables: the object as `pod`.
		InitGetVars: func(_ *api.Config, _ *corev1.ConfigMap, _ *corev1.Secret) (api.GetVars, error) {
			return func(obj map[string]any, _ services.Destination) map[string]any {
				return map[string]any{"pod": obj}
			}, nil
		},
	}, *namespace, secrets, configMaps)

	pods := dynamic.NewForConfigOrDie(restConfig).Resource(schema.GroupVersionResource{Version: "v1", Resource: "pods"})
	podsInNamespace := pods.Namespace(watched)
	podInformer := cache.NewSharedIndexInformer(&cache.ListWatch{
		ListFunc: func(options metav1.ListOptions) (runtime.Object, error) {
			return podsInNamespace.List(ctx, options)
		},
		WatchFunc: func(options metav1.ListOptions) (watch.Interface, error) {
			return podsInNamespace.Watch(ctx, options)
		},
	}, &unstructured.Unstructured{}, *resync, cache.Indexers{})
	ctrl := controller.NewController(pods, podInformer, factory)
	if *selfService {
		ctrl = controller.NewControllerWithNamespaceSupport(pods, podInformer, factory)
	}

	go configInformers.Start(ctx.Done())
	go podInformer.Run(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), secrets.HasSynced, configMaps.HasSynced, podInformer.HasSynced) {
		fail(fmt.Errorf("informers did not sync"))
	}
	fmt.Println(`{"event":"synced"}`)
	ctrl.Run(*workers, ctx.Done())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
