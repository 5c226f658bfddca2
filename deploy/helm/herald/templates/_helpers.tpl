{{- define "herald.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "herald.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "herald.selectorLabels" -}}
app.kubernetes.io/name: {{ include "herald.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "herald.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "herald.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: herald
{{- end -}}

{{- define "herald.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "herald.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "herald.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The Deployments: one "all" running every role, or one per role. Each: component name, roles to run, its values. */}}
{{- define "herald.components" -}}
{{- if .Values.roles.split -}}
{{- $out := list -}}
{{- range $role := list "source" "evaluator" "sink" "state" -}}
{{- $out = append $out (dict "component" $role "roles" $role "spec" (get $.Values.roles $role)) -}}
{{- end -}}
{{- toJson $out -}}
{{- else -}}
{{- toJson (list (dict "component" "all" "roles" "" "spec" .Values.roles.allInOne)) -}}
{{- end -}}
{{- end -}}

{{/* The built-in sinks' packages. */}}
{{- define "herald.sinkPackage" -}}
{{- printf "@herald/sink-%s" . -}}
{{- end -}}

{{/* herald.yaml, rendered from values. What the chart sets wins over `config`. */}}
{{- define "herald.engineConfig" -}}
{{- $v := .Values -}}
{{- $resources := list -}}
{{- range $v.watch.resources }}{{ $resources = append $resources (omit . "clusterScoped") }}{{ end -}}
{{- $source := dict "resources" $resources "leaderElection" (dict "enabled" $v.watch.leaderElection.enabled "leaseName" $v.watch.leaderElection.leaseName "namespace" .Release.Namespace "leaseDuration" $v.watch.leaderElection.leaseDuration "renewDeadline" $v.watch.leaderElection.renewDeadline "retryPeriod" $v.watch.leaderElection.retryPeriod) -}}
{{- if $v.watch.namespaces }}{{ $_ := set $source "namespaces" $v.watch.namespaces }}{{ end -}}
{{- $source = mustMergeOverwrite (deepCopy $v.watch.options) $source -}}
{{- $plugins := list (dict "name" "@herald/source-kubernetes" "options" $source) -}}
{{- range $v.sinks }}{{ $plugins = append $plugins (dict "name" (include "herald.sinkPackage" .)) }}{{ end -}}
{{- range $v.plugins.extra }}{{ $plugins = append $plugins . }}{{ end -}}
{{- $nats := dict "servers" $v.nats.servers "name" $v.nats.name "subjectPrefix" $v.nats.subjectPrefix "streamPrefix" $v.nats.streamPrefix -}}
{{- if and $v.nats.auth.existingSecret $v.nats.auth.credsKey }}{{ $_ := set $nats "auth" (dict "credsFile" "/etc/herald/nats/creds") }}{{ end -}}
{{- if and $v.nats.auth.existingSecret $v.nats.auth.nkeyKey }}{{ $_ := set $nats "auth" (dict "nkeySeedFile" "/etc/herald/nats/nkey") }}{{ end -}}
{{- $tls := dict -}}
{{- if $v.nats.tls.caSecret }}{{ $_ := set $tls "ca" (printf "/etc/herald/nats-ca/%s" $v.nats.tls.caKey) }}{{ end -}}
{{- if $v.nats.tls.clientSecret }}{{ $_ := set $tls "cert" (printf "/etc/herald/nats-tls/%s" $v.nats.tls.certKey) }}{{ $_ := set $tls "key" (printf "/etc/herald/nats-tls/%s" $v.nats.tls.keyKey) }}{{ end -}}
{{- if $tls }}{{ $_ := set $nats "tls" $tls }}{{ end -}}
{{- if ne (int $v.nats.replicas) 1 -}}
{{- $r := dict "replicas" (int $v.nats.replicas) -}}
{{- $_ := set $nats "streams" (dict "events" $r "notifications" $r "results" $r "deadLetters" $r) -}}
{{- $_ := set $nats "state" $r -}}
{{- end -}}
{{- with $v.nats.placement }}{{ $_ := set $nats "placement" . }}{{ end -}}
{{- $notifications := dict "configMap" $v.notifications.configMap.name "namespace" .Release.Namespace "annotationPrefix" $v.notifications.annotationPrefix -}}
{{- if $v.notifications.secret.name }}{{ $_ := set $notifications "secret" $v.notifications.secret.name }}{{ end -}}
{{- if $v.notifications.selfService }}{{ $_ := set $notifications "selfService" true }}{{ end -}}
{{- $chart := dict
  "nats" $nats
  "notifications" $notifications
  "state" (dict "mirrorAnnotations" $v.state.mirrorAnnotations)
  "log" (dict "level" $v.log.level)
  "telemetry" (dict "port" $v.telemetry.port "host" "0.0.0.0" "serviceName" $v.telemetry.serviceName)
  "plugins" $plugins -}}
{{- toYaml (mustMergeOverwrite (deepCopy $v.config) $chart) -}}
{{- end -}}

{{/*
Who Herald runs as, with what each needs: one ServiceAccount for every role, or, with roles.split and
serviceAccount.perRole, one per role holding only that role's permissions. Each: suffix of its objects' names,
its ServiceAccount, the roles it runs.
*/}}
{{- define "herald.identities" -}}
{{- $base := include "herald.serviceAccountName" . -}}
{{- if and .Values.roles.split .Values.serviceAccount.perRole -}}
{{- $out := list -}}
{{- range $role := list "source" "evaluator" "sink" "state" -}}
{{- $out = append $out (dict "suffix" (printf "-%s" $role) "serviceAccount" (printf "%s-%s" $base $role) "roles" (list $role)) -}}
{{- end -}}
{{- toJson $out -}}
{{- else -}}
{{- toJson (list (dict "suffix" "" "serviceAccount" $base "roles" (list "source" "evaluator" "sink" "state"))) -}}
{{- end -}}
{{- end -}}

{{/* The ServiceAccount of a Deployment's pods; argument: (dict "root" $ "component" "source"|…|"all"). */}}
{{- define "herald.podServiceAccount" -}}
{{- $base := include "herald.serviceAccountName" .root -}}
{{- if and .root.Values.roles.split .root.Values.serviceAccount.perRole -}}
{{- printf "%s-%s" $base .component -}}
{{- else -}}
{{- $base -}}
{{- end -}}
{{- end -}}
