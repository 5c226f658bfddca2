import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { testNatsLimits, type ControlPlane, type NatsServer } from '@herald/test-harness';
import { waitForSettled } from './bus-settled.ts';
import { applyHeraldRbac, createConfigMap } from './cluster-setup.ts';
import { startHerald, type HeraldProcess } from './herald-process.ts';

export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const notifiedKey = 'notified.notifications.argoproj.io';
export const subscribe = (rest: string) => `notifications.argoproj.io/subscribe.${rest}`;

/** Argo's condition key `[<index>].<base64url-nopad(sha1(when))>`, computed here independently of Herald. */
export function conditionKey(index: number, when: string): string {
  return `[${index}].${createHash('sha1').update(when).digest('base64url')}`;
}

/** The `notified` annotation of an object as a map, undefined when it has none. */
export function notifiedOf(object: { metadata?: { annotations?: Record<string, string> } }): Record<string, number> | undefined {
  const value = object.metadata?.annotations?.[notifiedKey];
  return value === undefined ? undefined : (JSON.parse(value) as Record<string, number>);
}

/** Polls `read` until `done` holds for its value; fails with `what` and the last value. */
export async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} (last seen: ${JSON.stringify(value)})`);
    await delay(100);
  }
}

export interface ScenarioOptions {
  /** Prefix of the namespace and of Herald's streams (upper case, unique per test). */
  prefix: string;
  /** The notification ConfigMap's data. */
  data: Record<string, string>;
  /** The kubernetes source's resources; default: Pods. */
  resources?: Record<string, unknown>[];
  /** More options of the kubernetes source (`resyncPeriod`, …). */
  source?: Record<string, unknown>;
  /** More top-level keys of herald.yaml (`sink`, …) and more `notifications` keys. */
  engine?: Record<string, unknown>;
  notifications?: Record<string, unknown>;
}

export interface Scenario {
  readonly namespace: string;
  readonly core: CoreV1Api;
  /** Starts a `herald run` as the restricted user, on this scenario's streams and namespace. */
  herald(): Promise<HeraldProcess>;
  /** Resolves once every durable consumer of this scenario's streams is idle. */
  settled(): Promise<void>;
  /** How many messages the dead-letter stream holds. */
  deadLetters(): Promise<number>;
  pod(name: string, meta?: { labels?: Record<string, string>; annotations?: Record<string, string> }): Promise<V1Pod>;
  setPhase(name: string, phase: string): Promise<V1Pod>;
  setLabels(name: string, labels: Record<string, string | null>): Promise<V1Pod>;
  notified(name: string): Promise<Record<string, number> | undefined>;
  /** Waits until the Pod's `notified` annotation has exactly these keys (none: no annotation). */
  waitForNotifiedKeys(name: string, keys: readonly string[]): Promise<Record<string, number> | undefined>;
  /** Every Herald started, for stopping them. */
  readonly heralds: HeraldProcess[];
}

/**
 * A namespace of its own with deploy/rbac applied for the restricted user, the notification ConfigMap
 * in it, and Herald processes on streams of their own: scenarios of one file do not see each other.
 */
export async function setUpScenario(cp: ControlPlane, nats: NatsServer, options: ScenarioOptions): Promise<Scenario> {
  const { prefix } = options;
  const core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  const namespace = await cp.createNamespace(prefix.toLowerCase());
  await applyHeraldRbac(cp, namespace);
  await createConfigMap(cp, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'herald-notifications-cm', namespace }, data: options.data });
  const streams = [`${prefix}_EVENTS`, `${prefix}_NOTIFICATIONS`, `${prefix}_RESULTS`, `KV_${prefix}_STATE`];
  const heralds: HeraldProcess[] = [];
  const notified = async (name: string) => notifiedOf(await core.readNamespacedPod({ name, namespace }));
  return {
    namespace,
    core,
    heralds,
    async herald() {
      const h = await startHerald(
        {
          ...options.engine,
          nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: prefix.toLowerCase(), streamPrefix: prefix },
          notifications: { namespace, ...options.notifications },
          plugins: [
            { name: '@herald/source-kubernetes', options: { resources: options.resources ?? [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace], ...options.source } },
            { name: '@herald/sink-webhook' },
          ],
        },
        { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: namespace },
      );
      heralds.push(h);
      return h;
    },
    settled: () => waitForSettled(nats.url, streams),
    async deadLetters() {
      const nc = await connect({ servers: nats.url });
      try {
        return (await (await jetstreamManager(nc)).streams.info(`${prefix}_DEAD_LETTERS`)).state.messages;
      } finally {
        await nc.close();
      }
    },
    pod: (name, meta = {}) => core.createNamespacedPod({ namespace, body: { metadata: { name, ...meta }, spec: { containers: [{ name: 'app', image: 'app' }] } } }),
    setPhase: (name, phase) => core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase } } }, mergePatch),
    setLabels: (name, labels) => core.patchNamespacedPod({ name, namespace, body: { metadata: { labels } } }, mergePatch),
    notified,
    waitForNotifiedKeys: (name, keys) =>
      waitUntil(
        () => notified(name),
        (value) => JSON.stringify(Object.keys(value ?? {}).sort()) === JSON.stringify([...keys].sort()),
        `the ${notifiedKey} annotation of ${name} never had exactly the keys ${JSON.stringify(keys)}`,
      ),
  };
}
