import { CoreV1Api } from '@kubernetes/client-node';
import type { ControlPlane } from '@herald/test-harness';
import { conditionKey, notifiedOf } from '../support/scenario.ts';
import type { FaultSize } from './fault-run.ts';

// What every scenario runs: one trigger, one webhook destination, Herald's engine config for the suite.

export const subscribe = 'notifications.argoproj.io/subscribe.on-pod-ready.fault';
const when = "pod.status.phase == 'Running'";
/** Argo's state key of the one destination, as the `notified` annotation lists it. */
export const stateKey = `on-pod-ready:${conditionKey(0, when)}:fault:`;

/** Pods (all left Running by the last round) whose `notified` annotation does not list the sent claim. */
export async function podsWithoutNotifiedKey(cp: ControlPlane, namespace: string, pods: readonly string[]): Promise<string[]> {
  const list = await cp.adminKubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace });
  const annotated = new Set(list.items.filter((p) => notifiedOf(p)?.[stateKey] !== undefined).map((p) => p.metadata!.name!));
  return pods.filter((p) => !annotated.has(p));
}

export function notificationConfig(receiverUrl: string): Record<string, string> {
  return {
    'trigger.on-pod-ready': `- when: ${when}\n  send: [pod-ready]\n`,
    'template.pod-ready': 'webhook:\n  fault:\n    method: POST\n    body: "pod={{.pod.metadata.name}} round={{.pod.status.message}}"\n',
    // A short request timeout, so a receiver that hangs costs a second. Each request is one attempt of
    // Herald's: retryMax + 1 = 30 attempts (sink.maxDeliver below), so transient failures end up delivered.
    'service.webhook.fault': `url: ${receiverUrl}/notify\ntimeout: 1s\nretryMax: 29\nretryWaitMin: 100ms\nretryWaitMax: 1s\n`,
  };
}

const pods = { version: 'v1', resource: 'pods', kind: 'Pod' };
// A killed source holds its Lease until it expires: a short one.
const leaderElection = { leaseDuration: '4s', renewDeadline: '3s', retryPeriod: '1s' };
// No per-destination limits: this suite is about faults, not throttling.
const unthrottled = { rateLimit: { perSecond: 0 }, circuitBreaker: { failures: 0 }, concurrency: { perDestination: 16 }, backoff: { base: '500ms', max: '5s' } };

/** HERALD_FAULTS_RESYNC (`scripts/dev faults --resync 5s`): the source's resyncPeriod, every object published again each period. */
function resync(): { resyncPeriod?: string } {
  const period = process.env.HERALD_FAULTS_RESYNC?.trim();
  return period ? { resyncPeriod: period } : {};
}

/** `replicas`: of every stream and bucket (3 on the cluster); `source`: more options of the Kubernetes source. */
export function engineConfig(servers: readonly string[], prefix: string, namespace: string, size: FaultSize, replicas = 1, source: Record<string, unknown> = {}): Record<string, unknown> {
  const big = size.pods > 200;
  const limit = (maxBytes: string) => ({ maxBytes, replicas });
  return {
    nats: {
      servers,
      subjectPrefix: prefix.toLowerCase(),
      streamPrefix: prefix,
      streams: {
        events: limit(big ? '512MiB' : '64MiB'),
        notifications: limit(big ? '256MiB' : '32MiB'),
        results: limit(big ? '128MiB' : '16MiB'),
        deadLetters: limit('32MiB'),
      },
      state: { maxBytes: big ? '128MiB' : '16MiB', replicas },
      // A killed process's messages come back after the ack wait: 5 s rather than 30 keeps runs short.
      consume: { ackWait: '5s', backoffBase: '500ms', backoffMax: '5s' },
    },
    notifications: { namespace },
    log: { level: process.env.HERALD_FAULTS_LOG ?? 'info' },
    // Transient failures must end up delivered: many attempts, no rate limit or breaker in the way.
    sink: { maxDeliver: 30, ...unthrottled },
    plugins: [
      { name: '@herald/source-kubernetes', options: { resources: [pods], namespaces: [namespace], leaderElection, ...resync(), ...source } },
      { name: '@herald/sink-webhook' },
    ],
  };
}
