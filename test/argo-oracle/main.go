// Command argo-oracle loads an Argo notifications config with the real notifications-engine (the version
// Argo CD v3.6 pins) and reports what the engine does with it: whether it loads, what every trigger
// condition yields for each object, and every field every template renders for each destination. The
// differential test (test/argo-oracle/src) runs Herald on the same input and compares.
//
// Input (stdin, JSON): {"configMap": {key: text}, "secret": {key: text}, "preset": "argocd"|"rollouts",
// "now": RFC3339, "objects": [{"name", "object"}], "destinations": [{"service", "recipient"}]}, or an array of them.
// Output (stdout, JSON): see Result.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"

	"github.com/argoproj/notifications-engine/pkg/api"
	"github.com/argoproj/notifications-engine/pkg/services"
	log "github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

type namedObject struct {
	Name   string         `json:"name"`
	Object map[string]any `json:"object"`
}

type input struct {
	ConfigMap    map[string]string      `json:"configMap"`
	Secret       map[string]string      `json:"secret"`
	Preset       string                 `json:"preset"`
	Now          string                 `json:"now"`
	Objects      []namedObject          `json:"objects"`
	Destinations []services.Destination `json:"destinations"`
}

type conditionResult struct {
	Key       string `json:"key"`
	Triggered bool   `json:"triggered"`
	OncePer   string `json:"oncePer"`
}

type triggerResult struct {
	Conditions []conditionResult `json:"conditions,omitempty"`
	Error      string            `json:"error,omitempty"`
}

type renderResult struct {
	Notification *services.Notification `json:"notification,omitempty"`
	Error        string                 `json:"error,omitempty"`
}

// Result is what the engine did; keys of the maps are object name, trigger/template name, "service:recipient".
type Result struct {
	Loaded    bool                                           `json:"loaded"`
	LoadError string                                         `json:"loadError,omitempty"`
	Triggers  map[string]map[string]triggerResult            `json:"triggers"`
	Templates map[string]map[string]map[string]renderResult `json:"templates"`
}

func main() {
	// The engine logs a condition's runtime error and treats it as false; the log is not part of the result.
	log.SetOutput(io.Discard)
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	// One case, or a JSON array of cases (the property-based run sends thousands at once).
	var out []byte
	if trimmed := bytes.TrimSpace(raw); len(trimmed) > 0 && trimmed[0] == '[' {
		var ins []input
		if err := json.Unmarshal(raw, &ins); err != nil {
			fail(fmt.Errorf("input: %w", err))
		}
		results := make([]Result, len(ins))
		for i, in := range ins {
			results[i] = run(in)
		}
		out, err = json.Marshal(results)
	} else {
		var in input
		if err := json.Unmarshal(raw, &in); err != nil {
			fail(fmt.Errorf("input: %w", err))
		}
		out, err = json.Marshal(run(in))
	}
	if err != nil {
		fail(err)
	}
	_, _ = os.Stdout.Write(append(out, '\n'))
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "argo-oracle: %v\n", err)
	os.Exit(2)
}

func run(in input) Result {
	current = nil
	res := Result{Triggers: map[string]map[string]triggerResult{}, Templates: map[string]map[string]map[string]renderResult{}}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "argocd-notifications-cm", Namespace: "argocd"}, Data: in.ConfigMap}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "argocd-notifications-secret", Namespace: "argocd"}, Data: map[string][]byte{}}
	for k, v := range in.Secret {
		secret.Data[k] = []byte(v)
	}
	hosts, err := newHosts(in.Now)
	if err != nil {
		fail(err)
	}

	// What the engine's factory does on every ConfigMap/Secret change: parse, let the host build its
	// variables (Argo CD parses the `context` key here), then build the API (compiles triggers and templates,
	// and constructs every service).
	var notifications api.API
	err = func() (err error) {
		defer recoverInto(&err)
		cfg, err := api.ParseConfig(cm, secret)
		if err != nil {
			return err
		}
		getVars, err := hosts.initGetVars(in.Preset, cm, secret)
		if err != nil {
			return err
		}
		notifications, err = api.NewAPI(*cfg, getVars)
		if err != nil {
			return err
		}
		return loadTemplates(*cfg)
	}()
	if err != nil {
		res.LoadError = err.Error()
		return res
	}
	res.Loaded = true
	cfg := notifications.GetConfig()

	triggerNames := sortedKeys(cfg.Triggers)
	templateNames := sortedKeys(cfg.Templates)
	for _, obj := range in.Objects {
		triggers := map[string]triggerResult{}
		for _, name := range triggerNames {
			triggers[name] = runTrigger(notifications, name, obj.Object)
		}
		res.Triggers[obj.Name] = triggers
		templates := map[string]map[string]renderResult{}
		for _, name := range templateNames {
			perDest := map[string]renderResult{}
			for _, dest := range in.Destinations {
				perDest[dest.Service+":"+dest.Recipient] = render(hosts.getVars, name, obj.Object, dest)
			}
			templates[name] = perDest
		}
		res.Templates[obj.Name] = templates
	}
	return res
}

func runTrigger(notifications api.API, name string, obj map[string]any) (tr triggerResult) {
	defer func() {
		if r := recover(); r != nil {
			tr = triggerResult{Error: fmt.Sprint(r)}
		}
	}()
	results, err := notifications.RunTrigger(name, obj)
	if err != nil {
		return triggerResult{Error: err.Error()}
	}
	for _, r := range results {
		tr.Conditions = append(tr.Conditions, conditionResult{Key: r.Key, Triggered: r.Triggered, OncePer: r.OncePer})
	}
	return tr
}

// render is api.Send up to the service's Send: the host's variables, serviceType and recipient, then
// every templater of the template (every service block it has).
func render(getVars api.GetVars, template string, obj map[string]any, dest services.Destination) (rr renderResult) {
	defer func() {
		if r := recover(); r != nil {
			rr = renderResult{Error: fmt.Sprint(r)}
		}
	}()
	n, err := renderNotification(getVars, template, obj, dest)
	if err != nil {
		return renderResult{Error: err.Error()}
	}
	if n.GitHub != nil {
		// The github templater keeps repoURLPath/revisionPath as written and renders them into unexported
		// fields its Send reads: report what Send uses, under the names the template gave them.
		v := reflect.ValueOf(n.GitHub).Elem()
		rendered := *n.GitHub
		rendered.RepoURLPath = v.FieldByName("repoURL").String()
		rendered.RevisionPath = v.FieldByName("revision").String()
		n.GitHub = &rendered
	}
	return renderResult{Notification: n}
}

func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("panic: %v", r)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// parseContext is Argo CD's getContext: the `context` key is a YAML map of strings.
func parseContext(cm *corev1.ConfigMap) (map[string]string, error) {
	context := map[string]string{}
	if text, ok := cm.Data["context"]; ok {
		if err := yaml.Unmarshal([]byte(text), &context); err != nil {
			return nil, err
		}
	}
	return context, nil
}
