import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { testNatsLimits } from '@herald/test-harness';

/** Where the benchmarks' Pods subscribe: the seed scenario's trigger and webhook. */
export const SUBSCRIBE = { 'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '' };
export const CONFIG_MAP = 'pod-notifications-cm';

/** The seed ConfigMap (`test/fixtures/reference-scenario.yaml`) as it is, and an empty Secret, in `namespace`. */
export async function seedNotificationConfig(core: CoreV1Api, namespace: string): Promise<void> {
  const docs = parseAllDocuments(readFileSync(new URL('../../fixtures/reference-scenario.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as V1ConfigMap);
  const seed = docs.find((d) => d.kind === 'ConfigMap')!;
  await core.createNamespacedConfigMap({ namespace, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CONFIG_MAP, namespace }, data: seed.data ?? {} } });
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'pod-notifications-secret' } } });
}

/**
 * Pods `p-<from>` … `p-<to - 1>` (subscribed, never scheduled: Pending), 50 requests at a time; resolves to how
 * many were made (one already there is left as it is).
 */
export async function createPendingPods(core: CoreV1Api, namespace: string, from: number, to: number): Promise<number> {
  let next = from;
  let created = 0;
  await Promise.all(Array.from({ length: 50 }, async () => {
    while (next < to) {
      const i = next++;
      // A fresh namespace refuses Pods until its default service account exists; the API server may shed load.
      for (let attempt = 1; ; attempt++) {
        try {
          await core.createNamespacedPod({ namespace, body: { metadata: { name: `p-${i}`, annotations: SUBSCRIBE }, spec: { containers: [{ name: 'app', image: 'app' }] } } });
          created++;
          break;
        } catch (err) {
          if ((err as { code?: number }).code === 409) break;
          if (attempt >= 50) throw err;
          await delay(200);
        }
      }
    }
  }));
  return created;
}

/** The herald.yaml of a benchmark's `herald run`: the namespace's Pods watched, the webhook sink, small stream limits. */
export function heraldRunConfig(options: { natsUrl: string; prefix: string; namespace: string; port: number; configMap?: string }): Record<string, unknown> {
  const { natsUrl, prefix, namespace, port } = options;
  return {
    nats: { ...testNatsLimits, servers: [natsUrl], subjectPrefix: prefix.toLowerCase(), streamPrefix: prefix },
    notifications: { namespace, configMap: options.configMap ?? CONFIG_MAP },
    telemetry: { port, host: '127.0.0.1' },
    plugins: [{ name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace] } }, { name: '@herald/sink-webhook' }],
  };
}

/** CPU-seconds a process has used so far (utime + stime from `/proc/<pid>/stat`, in USER_HZ ticks). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
