import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { startControlPlane, testNatsLimits, toolPath, type ControlPlane } from '@herald/test-harness';

/** Where the benchmarks' Pods subscribe: the seed scenario's trigger and webhook. */
export const SUBSCRIBE = { 'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '' };
export const CONFIG_MAP = 'pod-notifications-cm';
export const SECRET = 'pod-notifications-secret';

/** The seed ConfigMap (`test/fixtures/reference-scenario.yaml`) as it is, and an empty Secret, in `namespace`. */
export async function seedNotificationConfig(core: CoreV1Api, namespace: string): Promise<void> {
  const docs = parseAllDocuments(readFileSync(new URL('../../fixtures/reference-scenario.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as V1ConfigMap);
  const seed = docs.find((d) => d.kind === 'ConfigMap')!;
  await core.createNamespacedConfigMap({ namespace, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CONFIG_MAP, namespace }, data: seed.data ?? {} } });
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: SECRET } } });
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

/**
 * The herald.yaml of a benchmark's `herald run`: the namespace's Pods watched, the webhook sink, small stream
 * limits; `source`: more options of the Kubernetes source.
 */
export function heraldRunConfig(options: { natsUrl: string; prefix: string; namespace: string; port: number; configMap?: string; source?: Record<string, unknown> }): Record<string, unknown> {
  const { natsUrl, prefix, namespace, port } = options;
  return {
    nats: { ...testNatsLimits, servers: [natsUrl], subjectPrefix: prefix.toLowerCase(), streamPrefix: prefix },
    notifications: { namespace, configMap: options.configMap ?? CONFIG_MAP },
    telemetry: { port, host: '127.0.0.1' },
    plugins: [{ name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace], ...options.source } }, { name: '@herald/sink-webhook' }],
  };
}

/** CPU-seconds a process has used so far (utime + stime from `/proc/<pid>/stat`, in USER_HZ ticks). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The pid of the process whose command line has `binary` and `arg` (the nats-server on our port). */
export function findPid(binary: string, arg: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith(binary) && cmdline.includes(arg)) return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  throw new Error(`no ${binary} process with ${arg}`);
}

/**
 * The Go engine's command (test/argo-engine, HERALD_ARGO_ENGINE, built by scripts/dev) on the namespace's seed
 * ConfigMap and Secret, with its client QPS and burst; `extra`: more flags (`--resync 20s`).
 */
export function goEngineCommand(kubeconfig: string, namespace: string, [qps, burst]: [number, number], extra: readonly string[] = []): [string, string[]] {
  const binary = toolPath('HERALD_ARGO_ENGINE', 'argo-engine', 'argo-engine');
  return [binary, ['--kubeconfig', kubeconfig, '--namespace', namespace, '--configmap', CONFIG_MAP, '--secret', SECRET, '--qps', String(qps), '--burst', String(burst), ...extra]];
}

/** Builds Herald (scripts/build.ts) and returns the path of the bundled CLI, the `herald` the image runs. */
export function buildBundle(): string {
  const repo = new URL('../../../', import.meta.url);
  const build = spawnSync(process.execPath, [fileURLToPath(new URL('scripts/build.ts', repo))], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`building Herald failed (${build.status ?? build.signal})`);
  return fileURLToPath(new URL('core/cli/dist/bundle/main.js', repo));
}

/** A kube-apiserver and a namespace of it (named after `name`) with the seed ConfigMap and Secret. */
export async function seededNamespace(name: string): Promise<{ cp: ControlPlane; core: CoreV1Api; namespace: string }> {
  const cp = await startControlPlane();
  const core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  const namespace = await cp.createNamespace(name);
  await seedNotificationConfig(core, namespace);
  return { cp, core, namespace };
}

/** Resolves once the processes together used at most 0.02 CPU-seconds in each of three seconds in a row. */
export async function untilQuiet(pids: readonly number[]): Promise<void> {
  const cpu = () => pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  for (let quiet = 0; quiet < 3; ) {
    const before = cpu();
    await delay(1000);
    quiet = cpu() - before <= 0.02 ? quiet + 1 : 0;
  }
}
