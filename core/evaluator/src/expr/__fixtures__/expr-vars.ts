import { createHostFunctions } from '../../host/index.ts';

/** Expressions see this clock: 10 minutes after the app's last operation finished. */
export const NOW = Date.parse('2024-01-01T00:10:00Z');
export const host = createHostFunctions({ now: () => new Date(NOW) });

export function podFixture(): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'prod', labels: { app: 'web', 'app.kubernetes.io/name': 'web' }, annotations: {} },
    spec: {
      nodeName: 'node-3',
      containers: [
        { name: 'web', image: 'registry.example.com/web:1.2.3', ports: [{ containerPort: 8080 }] },
        { name: 'sidecar', image: 'registry.example.com/proxy:2.0.0', ports: [{ containerPort: 9090 }] },
      ],
    },
    status: {
      phase: 'Running',
      startTime: '2024-01-01T00:00:00Z',
      containerStatuses: [
        { name: 'web', ready: true, restartCount: 0 },
        { name: 'sidecar', ready: false, restartCount: 2 },
      ],
    },
  };
}

export function appFixture(status: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'prod-guestbook', namespace: 'argocd' },
    spec: { project: 'default', source: { repoURL: 'https://github.com/argoproj/argocd-example-apps', path: 'guestbook' } },
    status: {
      sync: { status: 'Synced', revision: 'abc123' },
      health: { status: 'Healthy' },
      operationState: { phase: 'Succeeded', startedAt: '2023-12-31T23:59:00Z', finishedAt: '2024-01-01T00:00:00Z' },
      ...status,
    },
  };
}

export function varsFixture(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { pod: podFixture(), app: appFixture(), time: host.time, strings: host.strings, ...extra };
}
