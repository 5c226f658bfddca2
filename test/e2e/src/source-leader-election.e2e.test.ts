import { setTimeout as delay } from 'node:timers/promises';
import { CoordinationV1Api, CoreV1Api, type V1Lease, type V1Pod } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, startNats, testNatsLimits, type ControlPlane, type NatsServer } from '@herald/test-harness';
import { applyHeraldRbac } from './support/cluster-setup.ts';
import { readEventLog, type EventLog, type RecordedEvent } from './support/event-log.ts';
import { startHerald, type HeraldProcess } from './support/herald-process.ts';

// Short timings, so that a killed leader is replaced within seconds.
const fast = { leaseDuration: '4s', renewDeadline: '3s', retryPeriod: '1s' };
const fastLeaseMs = 4_000;
const leaseName = 'herald-source';

let cp: ControlPlane;
let nats: NatsServer;
let core: CoreV1Api;
let leases: CoordinationV1Api;
const heralds: HeraldProcess[] = [];
const logs: EventLog[] = [];

beforeAll(async () => {
  [cp, nats] = await Promise.all([startControlPlane(), startNats()]);
  core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  leases = cp.adminKubeConfig.makeApiClient(CoordinationV1Api);
});
afterEach(async () => {
  await Promise.all(heralds.splice(0).map((h) => h.kill()));
  await Promise.all(logs.splice(0).map((l) => l.close()));
});
afterAll(async () => {
  await Promise.all([cp?.stop(), nats?.stop()]);
});

const out = (line: string) => process.stdout.write(`${line}\n`);

interface Setup {
  namespace: string;
  /** Starts `herald run --role source` as the restricted user, with deploy/rbac applied in `namespace`, Herald's own. */
  herald(leaderElection?: Record<string, unknown>): Promise<HeraldProcess>;
  /** Reads the events stream (which the first Herald created). */
  events(): Promise<EventLog>;
}

/** A namespace of its own for Herald and its Pods, deploy/rbac in force for the restricted user, streams of its own. */
async function setUp(prefix: string): Promise<Setup> {
  const namespace = await cp.createNamespace(prefix.toLowerCase());
  await applyHeraldRbac(cp, namespace);
  // RBAC reaches the authorizer through its informer: wait until the Lease rule is in force (404, not 403).
  const restricted = cp.restrictedKubeConfig.makeApiClient(CoordinationV1Api);
  await waitFor(
    () => restricted.readNamespacedLease({ name: leaseName, namespace }).then(() => 'found', (err: { code?: number }) => (err.code === 404 ? 'allowed' : 'forbidden')),
    (answer) => answer === 'allowed',
    'the restricted user never could read the Lease',
  );
  return {
    namespace,
    async herald(leaderElection = fast) {
      const h = await startHerald(
        {
          nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: prefix.toLowerCase(), streamPrefix: prefix },
          roles: ['source'],
          log: { level: 'debug' },
          telemetry: { port: 0, host: '127.0.0.1' },
          plugins: [{ name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace], leaderElection } }],
        },
        { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: namespace },
      );
      heralds.push(h);
      return h;
    },
    async events() {
      const log = await readEventLog(nats.url, `${prefix}_EVENTS`);
      logs.push(log);
      return log;
    },
  };
}

async function lease(namespace: string): Promise<V1Lease | undefined> {
  return leases.readNamespacedLease({ name: leaseName, namespace }).catch(() => undefined);
}

const holderOf = (l: V1Lease | undefined) => l?.spec?.holderIdentity ?? '';
/** Identities are `<hostname>_<pid>_<random>`. */
const holds = (h: HeraldProcess, l: V1Lease | undefined) => holderOf(l).includes(`_${h.pid}_`);
const time = (t: Date | string | undefined) => new Date(t!).getTime();
/** Whether the process logged (at debug) that it published the ADDED of `<namespace>/<name>`. */
const published = (h: HeraldProcess, name: string) => h.logs().includes(`published ADDED of ${name}"`);

function pod(name: string): V1Pod {
  return { metadata: { name }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] } };
}

/** `/readyz` of a process, as a Kubernetes probe reads it. */
async function readyz(h: HeraldProcess): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const running = h.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event?: string; telemetryPort?: number }).find((l) => l.event === 'running');
  const response = await fetch(`http://127.0.0.1:${running!.telemetryPort!}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
}

const added = (name: string) => (e: RecordedEvent) => e.data.action === 'ADDED' && e.data.ref.name === name;

/** Two Herald processes with the source: returns them as leader and standby, by the Lease's holder. */
async function pair(s: Setup, leaderElection?: Record<string, unknown>): Promise<{ leader: HeraldProcess; standby: HeraldProcess; events: EventLog }> {
  const first = await s.herald(leaderElection);
  const second = await s.herald(leaderElection);
  const events = await s.events();
  const current = await lease(s.namespace);
  const leader = [first, second].find((h) => holds(h, current));
  expect(leader, `the Lease is held by one of the two processes (holder "${holderOf(current)}", pids ${first.pid}, ${second.pid})`).toBeDefined();
  return { leader: leader!, standby: leader === first ? second : first, events };
}

describe('the kubernetes source with leader election (two Herald processes, the restricted user, deploy/rbac)', () => {
  it('one process holds the Lease and publishes, the other stands by; SIGKILL the leader and the other takes over and publishes what changed after the kill', async () => {
    const s = await setUp('LEKILL');
    await core.createNamespacedPod({ namespace: s.namespace, body: pod('before') });
    const { leader, standby, events } = await pair(s);

    const before = await lease(s.namespace);
    expect(before?.spec).toMatchObject({ leaseDurationSeconds: 4 });
    await events.waitFor(added('before'), 'the Pod there before Herald started');
    await core.createNamespacedPod({ namespace: s.namespace, body: pod('while-both') });
    await events.waitFor(added('while-both'), 'a Pod created while both run');
    expect(events.of('while-both')).toHaveLength(1);
    // Only the leader watches and publishes; the standby has not even listed. Each line the standby must
    // not have is one the leader has, so a reworded log cannot make the negative checks pass on their own.
    await waitFor(async () => published(leader, `${s.namespace}/while-both`), Boolean, 'the leader never logged publishing while-both', 10_000);
    expect(leader.logs()).toContain('published ');
    expect(standby.logs()).not.toContain('published ');
    expect(leader.logs()).toContain('"msg":"listed pods.v1');
    expect(standby.logs()).not.toContain('"msg":"listed pods.v1');
    expect(standby.logs()).toContain('standing by');
    expect(leader.logs()).not.toContain('standing by');
    // Both ready for Kubernetes: the leader has published its first list, the standby stands by.
    for (const h of [leader, standby]) expect(await readyz(h)).toEqual({ status: 200, body: { status: 'ready', checks: expect.objectContaining({ source: 'ok' }) as unknown } });
    // The leader keeps renewing: the same holder, a later renewTime.
    await waitFor(() => lease(s.namespace), (l) => holds(leader, l) && time(l?.spec?.renewTime) > time(before?.spec?.renewTime), 'the leader never renewed the Lease', 3 * fastLeaseMs);

    const killedAt = Date.now();
    await leader.kill();
    // The dead leader's last renewal: nobody may hold the Lease before it has expired.
    const last = await lease(s.namespace);
    expect(holds(leader, last)).toBe(true);
    await core.createNamespacedPod({ namespace: s.namespace, body: pod('after-kill') });
    const taken = await waitFor(() => lease(s.namespace), (l) => holds(standby, l), 'the standby never took the Lease', 3 * fastLeaseMs);
    await events.waitFor(added('after-kill'), 'the Pod created after the kill', 30_000);
    const firstEventMs = Date.now() - killedAt;
    const takeoverMs = time(taken?.spec?.acquireTime) - killedAt;
    out(`failover after SIGKILL (leaseDuration 4s, renewDeadline 3s, retryPeriod 1s): new holder acquired the Lease ${takeoverMs} ms after the kill; the Pod created after the kill was on the bus ${firstEventMs} ms after it`);

    expect(taken?.spec?.leaseTransitions).toBe((before?.spec?.leaseTransitions ?? 0) + 1);
    // Taken over only once the dead leader's lease ran out (both times are the Lease's own, microseconds cut to ms).
    expect(time(taken?.spec?.acquireTime)).toBeGreaterThanOrEqual(time(last?.spec?.renewTime) + fastLeaseMs - 1);
    // The log line follows the publish's ack, so it may reach us a moment after the event.
    await waitFor(async () => published(standby, `${s.namespace}/after-kill`), Boolean, 'the standby never logged publishing after-kill', 10_000);
    expect(events.of('after-kill')).toHaveLength(1);
    // The new leader listed first: what was there is published again under the same ids, which the bus drops.
    expect(events.of('before')).toHaveLength(1);
  });

  it('a leader stopped with SIGTERM releases the Lease and the other takes over at once, not after leaseDuration', async () => {
    const s = await setUp('LESTOP');
    // A long lease, to tell a release (about a retryPeriod) from an expiry (15 s and more).
    const slow = { leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '1s' };
    const { leader, standby, events } = await pair(s, slow);
    await core.createNamespacedPod({ namespace: s.namespace, body: pod('first') });
    await events.waitFor(added('first'), 'a Pod while the first leader runs');

    const held = await lease(s.namespace);
    expect(holds(leader, held)).toBe(true);
    const stoppedAt = Date.now();
    expect(await leader.stop()).toBe(0);
    expect(leader.logs()).toContain('released lease');
    expect(standby.logs()).not.toContain('released lease');
    await core.createNamespacedPod({ namespace: s.namespace, body: pod('after-stop') });
    const taken = await waitFor(() => lease(s.namespace), (l) => holds(standby, l), 'the standby never took the Lease', 15_000);
    await events.waitFor(added('after-stop'), 'the Pod created after the stop', 30_000);
    const firstEventMs = Date.now() - stoppedAt;
    const takeoverMs = time(taken?.spec?.acquireTime) - stoppedAt;
    out(`failover after SIGTERM (leaseDuration 15s, retryPeriod 1s): new holder acquired the Lease ${takeoverMs} ms after the signal; the Pod created after the stop was on the bus ${firstEventMs} ms after it`);

    // Taken before the leader's last renewal could have expired: only a release allows that.
    expect(time(taken?.spec?.acquireTime)).toBeLessThan(time(held?.spec?.renewTime) + 15_000);
    expect(taken?.spec?.leaseDurationSeconds).toBe(15);
    // The log line follows the publish's ack, so it may reach us a moment after the event.
    await waitFor(async () => published(standby, `${s.namespace}/after-stop`), Boolean, 'the standby never logged publishing after-stop', 10_000);
    expect(events.of('after-stop')).toHaveLength(1);
  });

  it('fails to start, naming the Lease and the rule it needs, where RBAC does not grant it', async () => {
    const s = await setUp('LEDENY');
    const elsewhere = await cp.createNamespace('no-lease-rule');
    const failure = await startHerald(
      {
        nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'ledeny', streamPrefix: 'LEDENY' },
        roles: ['source'],
        plugins: [{ name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [s.namespace], leaderElection: { namespace: elsewhere } } }],
      },
      { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: s.namespace },
    ).then(
      (h) => {
        heralds.push(h);
        return 'started';
      },
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/^herald did not start \(exit 1\)/);
    const [printed] = failure.split('\n').slice(1, 2).map((l) => JSON.parse(l) as { error: { code: string; message: string } });
    expect(printed!.error).toEqual({
      code: 'HERALD_ERR_PLUGIN_INIT',
      message: `plugin "kubernetes": start failed: leaderElection: cannot use lease ${elsewhere}/herald-source: leases.coordination.k8s.io "herald-source" is forbidden: User "${cp.restrictedUser}" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "${elsewhere}" (Herald needs get, create and update on leases in namespace "${elsewhere}"; or set leaderElection.enabled to false)`,
    });
  });
});

/** Polls `read` until `done` holds for its value; fails with `what` and the last value. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms (last seen: ${JSON.stringify(value)})`);
    await delay(100);
  }
}
