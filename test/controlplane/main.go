// Command controlplane runs a real kube-apiserver backed by an embedded etcd in one process, for Herald's
// tests. It is the upstream kube-apiserver command: every flag it does not recognise itself is passed on.
//
// Own flags (all required):
//
//	--embedded-etcd-dir=DIR          etcd data directory (kept across restarts)
//	--embedded-etcd-client-url=URL   e.g. http://127.0.0.1:23790
//	--embedded-etcd-peer-url=URL     e.g. http://127.0.0.1:23800
package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

const etcdReadyTimeout = 60 * time.Second

func main() {
	own, rest := splitArgs(os.Args[1:])
	for _, k := range []string{"dir", "client-url", "peer-url"} {
		if own[k] == "" {
			fmt.Fprintf(os.Stderr, "controlplane: --embedded-etcd-%s is required\n", k)
			os.Exit(2)
		}
	}
	etcd, err := startEtcd(own["dir"], own["client-url"], own["peer-url"])
	if err != nil {
		fmt.Fprintf(os.Stderr, "controlplane: etcd: %v\n", err)
		os.Exit(1)
	}
	if !hasFlag(rest, "--etcd-servers") {
		rest = append(rest, "--etcd-servers="+own["client-url"])
	}
	os.Args = append([]string{os.Args[0]}, rest...)
	code := cli.Run(app.NewAPIServerCommand())
	etcd.Close()
	os.Exit(code)
}

// splitArgs takes out the --embedded-etcd-* flags and returns the rest untouched.
func splitArgs(args []string) (map[string]string, []string) {
	own := map[string]string{}
	var rest []string
	for _, a := range args {
		if name, ok := strings.CutPrefix(a, "--embedded-etcd-"); ok {
			if k, v, found := strings.Cut(name, "="); found {
				own[k] = v
				continue
			}
		}
		rest = append(rest, a)
	}
	return own, rest
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

func startEtcd(dir, clientURL, peerURL string) (*embed.Etcd, error) {
	client, err := url.Parse(clientURL)
	if err != nil {
		return nil, fmt.Errorf("client url: %w", err)
	}
	peer, err := url.Parse(peerURL)
	if err != nil {
		return nil, fmt.Errorf("peer url: %w", err)
	}
	cfg := embed.NewConfig()
	cfg.Name = "herald-test"
	cfg.Dir = dir
	cfg.ListenClientUrls = []url.URL{*client}
	cfg.AdvertiseClientUrls = []url.URL{*client}
	cfg.ListenPeerUrls = []url.URL{*peer}
	cfg.AdvertisePeerUrls = []url.URL{*peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "error"
	cfg.LogOutputs = []string{"stderr"}
	// A test cluster: favour speed over durability of the last write on power loss.
	cfg.UnsafeNoFsync = true
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		e.Close()
		return nil, err
	case <-time.After(etcdReadyTimeout):
		e.Close()
		return nil, fmt.Errorf("not ready after %s", etcdReadyTimeout)
	}
}
