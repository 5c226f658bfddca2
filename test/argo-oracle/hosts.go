package main

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/argoproj/notifications-engine/pkg/api"
	"github.com/argoproj/notifications-engine/pkg/services"
	"github.com/argoproj/notifications-engine/pkg/templates"
	"github.com/argoproj/notifications-engine/pkg/util/text"
	giturls "github.com/chainguard-dev/git-urls"
	corev1 "k8s.io/api/core/v1"
)

// The hosts' variables, written after Argo CD's util/notification/{settings,expression} and Argo Rollouts'
// utils/record: their packages cannot be imported here (Argo CD's module does not build outside its own
// repository), so this file restates what they put in front of the engine. Only the clock differs: `Now`
// is the input's fixed `now`, so that results are comparable.
type hosts struct {
	now       time.Time
	getVars   api.GetVars
	templates map[string]services.Notification
}

func newHosts(now string) (*hosts, error) {
	h := &hosts{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if now != "" {
		t, err := time.Parse(time.RFC3339, now)
		if err != nil {
			return nil, fmt.Errorf("now: %w", err)
		}
		h.now = t
	}
	return h, nil
}

func (h *hosts) initGetVars(preset string, cm *corev1.ConfigMap, secret *corev1.Secret) (api.GetVars, error) {
	switch preset {
	case "", "argocd":
		context, err := parseContext(cm)
		if err != nil {
			return nil, err
		}
		h.getVars = func(obj map[string]any, dest services.Destination) map[string]any {
			ctx := map[string]string{"notificationType": dest.Service}
			maps.Copy(ctx, context)
			return map[string]any{
				"app":        obj,
				"context":    ctx,
				"secrets":    secret.Data,
				"appProject": map[string]any{},
				"time":       h.argocdTime(),
				"strings":    argocdStrings(),
				"repo":       argocdRepo(obj),
			}
		}
	case "rollouts":
		h.getVars = func(obj map[string]any, _ services.Destination) map[string]any {
			return map[string]any{
				"rollout": obj,
				"time":    map[string]any{"Parse": parseRFC3339, "Now": func() time.Time { return h.now }},
				"secrets": secret.Data,
			}
		}
	default:
		return nil, fmt.Errorf("unknown preset %q", preset)
	}
	return h.getVars, nil
}

func renderNotification(getVars api.GetVars, template string, obj map[string]any, dest services.Destination) (*services.Notification, error) {
	if current == nil {
		return nil, errors.New("no templates")
	}
	vars := getVars(obj, dest)
	in := make(map[string]any, len(vars)+2)
	maps.Copy(in, vars)
	in["serviceType"] = dest.Service
	in["recipient"] = dest.Recipient
	return current.FormatNotification(in, template)
}

// current is the engine's template service for the loaded config (api.NewAPI builds the same one privately).
var current templates.Service

func loadTemplates(cfg api.Config) error {
	svc, err := templates.NewService(cfg.Templates)
	if err != nil {
		return err
	}
	current = svc
	return nil
}

func parseRFC3339(timestamp string) time.Time {
	res, err := time.Parse(time.RFC3339, timestamp)
	if err != nil {
		panic(err)
	}
	return res
}

func (h *hosts) argocdTime() map[string]any {
	return map[string]any{
		"Parse":       parseRFC3339,
		"Now":         func() time.Time { return h.now },
		"Nanosecond":  time.Nanosecond,
		"Microsecond": time.Microsecond,
		"Millisecond": time.Millisecond,
		"Second":      time.Second,
		"Minute":      time.Minute,
		"Hour":        time.Hour,
		"Layout":      time.Layout,
		"ANSIC":       time.ANSIC,
		"UnixDate":    time.UnixDate,
		"RubyDate":    time.RubyDate,
		"RFC822":      time.RFC822,
		"RFC822Z":     time.RFC822Z,
		"RFC850":      time.RFC850,
		"RFC1123":     time.RFC1123,
		"RFC1123Z":    time.RFC1123Z,
		"RFC3339":     time.RFC3339,
		"RFC3339Nano": time.RFC3339Nano,
		"Kitchen":     time.Kitchen,
		"Stamp":       time.Stamp,
		"StampMilli":  time.StampMilli,
		"StampMicro":  time.StampMicro,
		"StampNano":   time.StampNano,
	}
}

func argocdStrings() map[string]any {
	return map[string]any{
		"ReplaceAll": func(s, old, newV string) string { return strings.ReplaceAll(s, old, newV) },
		"ToUpper":    func(s string) string { return strings.ToUpper(s) },
		"ToLower":    func(s string) string { return strings.ToLower(s) },
	}
}

var gitSuffix = regexp.MustCompile(`\.git$`)

// argocdRepo is Argo CD's `repo` namespace. GetCommitMetadata and GetAppDetails ask Argo CD's repo server,
// which the oracle does not have: they fail the render, as they do in Argo CD when the repo server cannot answer.
func argocdRepo(_ map[string]any) map[string]any {
	return map[string]any{
		"RepoURLToHTTPS": func(rawURL string) string {
			parsed, err := giturls.Parse(rawURL)
			if err != nil {
				panic(err)
			}
			parsed.Scheme = "https"
			parsed.User = nil
			return parsed.String()
		},
		"FullNameByRepoURL": func(rawURL string) string {
			parsed, err := giturls.Parse(rawURL)
			if err != nil {
				panic(err)
			}
			path := gitSuffix.ReplaceAllString(parsed.Path, "")
			if parts := text.SplitRemoveEmpty(path, "/"); len(parts) >= 2 {
				return strings.Join(parts[:2], "/")
			}
			return path
		},
		"QueryEscape": url.QueryEscape,
		"GetCommitMetadata": func(string) any {
			panic(errors.New("GetCommitMetadata needs Argo CD's repo server"))
		},
		"GetAppDetails": func() any {
			panic(errors.New("GetAppDetails needs Argo CD's repo server"))
		},
	}
}
