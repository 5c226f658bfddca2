import { describe, expect, it } from 'vitest';
import { render } from './__fixtures__/render-fixture.ts';

/**
 * Templates the way Argo notification catalogs write them, against an Argo CD Application. Expected
 * outputs are what Argo's engine (Go text/template + sprig) printed for the same template and data.
 */

const app = {
  metadata: { name: 'guestbook', namespace: 'argocd', labels: { team: 'web' } },
  spec: {
    project: 'default',
    source: { repoURL: 'https://github.com/example/apps.git', targetRevision: 'HEAD', path: 'guestbook' },
    destination: { namespace: 'prod' },
  },
  status: {
    sync: { status: 'OutOfSync', revision: 'a1b2c3d' },
    health: { status: 'Degraded', message: 'Deployment "web" exceeded its progress deadline' },
    operationState: {
      phase: 'Error',
      message: 'one or more objects failed to apply',
      startedAt: '2024-03-05T07:00:00Z',
      finishedAt: '2024-03-05T07:01:30Z',
      syncResult: {
        resources: [
          { kind: 'Deployment', name: 'web', status: 'SyncFailed', message: 'timeout' },
          { kind: 'Service', name: 'web', status: 'Synced', message: '' },
        ],
      },
    },
    conditions: [
      { type: 'SyncError', message: 'failed to sync: <timeout>' },
      { type: 'ComparisonError', message: 'rpc error' },
    ],
  },
};
const context = { argocdUrl: 'https://argocd.example.com' };

const slackAttachments = `[{
  "title": "{{ .app.metadata.name}}",
  "title_link": "{{.context.argocdUrl}}/applications/{{.app.metadata.name}}",
  "color": "#f4c030",
  "fields": [
  {
    "title": "Health Status",
    "value": "{{.app.status.health.status}}",
    "short": true
  },
  {
    "title": "Repository",
    "value": {{toJson .app.spec.source.repoURL}},
    "short": true
  }
  {{range $index, $c := .app.status.conditions}}
  {{if not $index}},{{end}}
  {{if $index}},{{end}}
  {
    "title": "{{$c.type}}",
    "value": {{toJson $c.message}},
    "short": true
  }
  {{end}}
  ]
}]`;

const webhookBody = `{{- /* webhook body */ -}}
{
  "app": {{ .app.metadata.name | quote }},
  "revision": {{ .app.status.sync.revision | trunc 7 | quote }},
  "failed": [
  {{- range $i, $r := .app.status.operationState.syncResult.resources }}
    {{- if ne $r.status "Synced" }}
    {{ dict "kind" $r.kind "name" $r.name "message" $r.message | toJson }}
    {{- end }}
  {{- end }}
  ],
  "labels": {{ toJson .app.metadata.labels }},
  "recipient": {{ .recipient | quote }}
}
`;

const cases: ReadonlyArray<readonly [name: string, source: string, vars: Record<string, unknown>, expected: string]> = [
  ['Argo reference: pod ready', 'Pod {{.pod.metadata.name}} is ready!\n', { pod: { metadata: { name: 'web-1' } } }, 'Pod web-1 is ready!\n'],
  [
    'app-sync-status message with conditions',
    'Application {{.app.metadata.name}} sync is {{.app.status.sync.status}}.\n{{range $index, $c := .app.status.conditions}}{{if not $index}}:{{end}}{{if $index}},{{end}} {{$c.type}}{{end}}',
    { app },
    'Application guestbook sync is OutOfSync.\n: SyncError, ComparisonError',
  ],
  [
    'service-specific text by serviceType',
    '{{if eq .serviceType "slack"}}:exclamation:{{end}} Application {{.app.metadata.name}} has degraded.\nApplication details: {{.context.argocdUrl}}/applications/{{.app.metadata.name}}.\n',
    { app, context, serviceType: 'slack' },
    ':exclamation: Application guestbook has degraded.\nApplication details: https://argocd.example.com/applications/guestbook.\n',
  ],
  [
    'Slack attachments JSON with toJson and range',
    slackAttachments,
    { app, context },
    '[{\n  "title": "guestbook",\n  "title_link": "https://argocd.example.com/applications/guestbook",\n  "color": "#f4c030",\n  "fields": [\n  {\n    "title": "Health Status",\n    "value": "Degraded",\n    "short": true\n  },\n  {\n    "title": "Repository",\n    "value": "https://github.com/example/apps.git",\n    "short": true\n  }\n  \n  ,\n  \n  {\n    "title": "SyncError",\n    "value": "failed to sync: \\u003ctimeout\\u003e",\n    "short": true\n  }\n  \n  \n  ,\n  {\n    "title": "ComparisonError",\n    "value": "rpc error",\n    "short": true\n  }\n  \n  ]\n}]',
  ],
  [
    'webhook body with trim markers, dict and toJson',
    webhookBody,
    { app, recipient: 'team-web' },
    '{\n  "app": "guestbook",\n  "revision": "a1b2c3d",\n  "failed": [\n    {"kind":"Deployment","message":"timeout","name":"web"}\n  ],\n  "labels": {"team":"web"},\n  "recipient": "team-web"\n}\n',
  ],
  [
    'with and a pipeline into lower',
    'Sync {{.app.status.operationState.phase | lower}} for {{.app.metadata.name}} at {{.app.status.operationState.finishedAt}}.\n{{with .app.status.operationState.message}}Reason: {{.}}{{end}}',
    { app },
    'Sync error for guestbook at 2024-03-05T07:01:30Z.\nReason: one or more objects failed to apply',
  ],
  [
    'sync duration through the time host functions',
    '{{ (call .time.Parse .app.status.operationState.finishedAt).Sub (call .time.Parse .app.status.operationState.startedAt) }}',
    { app },
    '1m30s',
  ],
  [
    'a padded table with printf',
    '{{ printf "%-12s|%5s|" .app.metadata.name .app.status.sync.status }}\n{{- range .app.status.operationState.syncResult.resources }}\n{{ printf "%-12s|%5s|" .kind .status }}\n{{- end }}',
    { app },
    'guestbook   |OutOfSync|\nDeployment  |SyncFailed|\nService     |Synced|',
  ],
];

describe('Argo catalog-style templates', () => {
  it.each(cases)('%s', (_name, source, vars, expected) => {
    expect(render(source, vars)).toBe(expected);
  });
});
