import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { ControlPlane, NatsServer } from '@herald/test-harness';
import { waitForSettled } from '../support/bus-settled.ts';
import { applyHeraldRbac, createConfigMap } from '../support/cluster-setup.ts';
import { check, kept, type Poison, type Verdict } from './checker.ts';
import { readDeadLetters } from './dead-letters.ts';
import { engineConfig, notificationConfig, podsWithoutNotifiedKey, stateKey, subscribe } from './fault-config.ts';
import { followEvents } from './event-index.ts';
import { noFailures, startFaultReceiver, type FailurePolicy, type FaultReceiver } from './fault-receiver.ts';
import { heraldFleet, type Fleet, type Role } from './herald-fleet.ts';
import { podDriver, type PodDriver } from './pod-driver.ts';
import { seededRandom, type Random } from './random.ts';

export interface FaultSize {
  pods: number;
  rounds: number;
  /** Faults of each kind per scenario (kills of a role, restarts of a server). */
  faults: number;
  /** How long one driver step may wait for the apiserver or the source. */
  stepTimeoutMs: number;
  /** How long Herald may take to finish everything after the last round. */
  settleTimeoutMs: number;
}

/** A group of identical Herald processes: `replicas` of `herald run --role <roles>` ('all': every role). */
export interface Group {
  name: string;
  roles: readonly Role[] | 'all';
  replicas: number;
}

export interface FaultContext {
  readonly fleet: Fleet;
  readonly nats: NatsServer;
  readonly cp: ControlPlane;
  readonly receiver: FaultReceiver;
  readonly driver: PodDriver;
  readonly random: Random;
  readonly size: FaultSize;
  /** Subjects of this installation start with it (`<prefix>.events.3`). */
  readonly subjectPrefix: string;
  /** Adds a line to the scenario's timeline. */
  note(what: string): void;
  /** SIGKILLs one process of the group at random; a replacement is started `downMs` later. */
  killAndReplace(group: string, downMs: number): Promise<void>;
  /** Publishes raw bytes on a subject of the bus; the checker expects each in the dead-letter stream. */
  poison(subject: string, payload: string): Promise<void>;
  /** Resolves at `count` random moments of the drive, in order: a callback per moment. */
  atRandomMoments(count: number, act: (i: number) => Promise<void>, from?: number, to?: number): Promise<void>;
}

export interface FaultScenario {
  name: string;
  /** One line for docs/reliability.md and the test title. */
  summary: string;
  groups: readonly Group[];
  receiver?: FailurePolicy;
  /** Share of Pods flickering each round (see pod-driver.ts). */
  flicker?: number;
  inject(ctx: FaultContext): Promise<void>;
}

export interface ScenarioReport {
  scenario: string;
  verdict: Verdict;
  kills: number;
  unexpectedExits: Fleet['unexpectedExits'];
  loggedErrors: number;
  timeline: string[];
  /** Pods left Running whose `notified` annotation lacks the claim that was sent (the mirror fell behind). */
  annotationsMissing: number;
  seconds: number;
  logDir: string;
  /** One line: `scenario  N  received  duplicates  dead-lettered  lost` and what else was seen. */
  line: string;
  passed: boolean;
}

/**
 * Runs one fault scenario on its own namespace, streams and receiver: starts its Herald processes, drives
 * the Pods while the scenario injects its faults, waits until the bus settled, and judges the receiver's log.
 */
export async function runScenario(world: { cp: ControlPlane; nats: NatsServer; logRoot: string; seed: number }, scenario: FaultScenario, size: FaultSize): Promise<ScenarioReport> {
  const started = Date.now();
  const { cp, nats } = world;
  const random = seededRandom(world.seed);
  const prefix = `FLT_${scenario.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
  const timeline: string[] = [];
  const note = (what: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${what}`);
  const logDir = join(world.logRoot, scenario.name);
  const receiver = await startFaultReceiver(seededRandom(world.seed + 1));
  const namespace = await cp.createNamespace(`faults-${scenario.name}`);
  await applyHeraldRbac(cp, namespace);
  await createConfigMap(cp, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'herald-notifications-cm', namespace }, data: notificationConfig(receiver.url) });
  const fleet = heraldFleet({ dir: logDir, config: engineConfig(nats, prefix, namespace, size), env: { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: namespace } });
  const rolesOf = new Map(scenario.groups.map((g) => [g.name, g.roles]));
  const poisoned: Poison[] = [];
  let events: Awaited<ReturnType<typeof followEvents>> | undefined;
  const monitor = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  try {
    // One process first creates the streams; the others join them.
    const [first, ...rest] = scenario.groups.flatMap((g) => Array.from({ length: g.replicas }, () => g));
    await fleet.start(first!.name, first!.roles);
    await Promise.all(rest.map((g) => fleet.start(g.name, g.roles)));
    note(`started ${scenario.groups.map((g) => `${g.replicas}× ${g.name}`).join(', ')}`);
    events = await followEvents(nats.url, `${prefix}_EVENTS`);
    receiver.setPolicy(scenario.receiver ?? noFailures);
    const driver = podDriver({
      core: cp.adminKubeConfig.makeApiClient(CoreV1Api),
      namespace,
      pods: size.pods,
      rounds: size.rounds,
      flicker: scenario.flicker ?? 0,
      annotations: { [subscribe]: '' },
      events,
      random,
      stepTimeoutMs: size.stepTimeoutMs,
      note,
    });
    const ctx: FaultContext = {
      fleet,
      nats,
      cp,
      receiver,
      driver,
      random,
      size,
      subjectPrefix: prefix.toLowerCase(),
      note,
      async killAndReplace(group, downMs) {
        // A kill hurts most while the victim's consumer has messages out: wait (a little) for such a moment.
        const consumer = busyConsumers[group];
        const busy = consumer ? await inFlight(monitor, `${prefix}_${consumer[0]}`, consumer[1], 2_000) : undefined;
        const victim = await fleet.killOne(group, random);
        note(`SIGKILL ${victim?.id ?? `(no live ${group})`} at ${(driver.progress * 100).toFixed(0)}% of the drive${busy === undefined ? '' : busy ? ` with ${busy} message(s) unacknowledged` : ', its consumer idle'}`);
        await delay(downMs);
        const replacement = await fleet.start(group, rolesOf.get(group)!);
        note(`started ${replacement.id}`);
      },
      async poison(subject, payload) {
        const id = `poison-${poisoned.length}-${world.seed}`;
        const nc = await connect({ servers: nats.url, waitOnFirstConnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
        try {
          // Through JetStream, with an id: stored exactly once even while nats-server restarts.
          for (const deadline = Date.now() + 60_000; ; await delay(250)) {
            try {
              await jetstream(nc).publish(subject, payload, { msgID: id, timeout: 2_000 });
              break;
            } catch (err) {
              if (Date.now() > deadline) throw err;
            }
          }
          poisoned.push({ subject, payload });
        } finally {
          await nc.close();
        }
      },
      async atRandomMoments(count, act, from = 0.05, to = 0.95) {
        const moments = Array.from({ length: count }, () => from + random.next() * (to - from)).sort((a, b) => a - b);
        for (const [i, at] of moments.entries()) {
          await driver.reached(at);
          await delay(random.int(0, 400));
          await act(i);
        }
      },
    };
    note('drive started');
    // Both end before anything is judged or stopped: a fault left running could start a process after killAll.
    const [drive, injected] = await Promise.allSettled([driver.run(), scenario.inject(ctx)]);
    if (drive.status === 'rejected') throw drive.reason;
    if (injected.status === 'rejected') throw injected.reason;
    const plan = drive.value;
    note(`drive done: ${size.rounds} rounds of ${size.pods} Pods, ${events.count} events`);
    const streams = [`${prefix}_EVENTS`, `${prefix}_NOTIFICATIONS`, `${prefix}_RESULTS`, `KV_${prefix}_STATE`];
    await settled(nats.url, streams, receiver, size.settleTimeoutMs);
    note(`settled: ${receiver.requests.length} requests`);
    const verdict = check(plan, receiver.requests, await readDeadLetters(nats.url, `${prefix}_DEAD_LETTERS`), poisoned);
    const annotationsMissing = await podsWithoutNotifiedKey(cp, namespace, plan.pods);
    if (annotationsMissing.length) verdict.details.push(`${annotationsMissing.length} Running Pod(s) lack ${stateKey} in their notified annotation, e.g. ${annotationsMissing.slice(0, 5).join(', ')}`);
    const seconds = (Date.now() - started) / 1000;
    writeFileSync(join(logDir, 'timeline.txt'), `${timeline.join('\n')}\n\nrequests (arrival s, answer, key, body):\n${receiver.requests.map((r) => `${((r.at - started) / 1000).toFixed(2)} ${r.answer} ${r.idempotencyKey} ${r.body}`).join('\n')}\n`);
    const passed = kept(verdict) && fleet.unexpectedExits.length === 0 && annotationsMissing.length === 0;
    if (passed && !process.env.HERALD_KEEP_TEST_DIRS) rmSync(logDir, { recursive: true, force: true });
    return {
      scenario: scenario.name,
      verdict,
      kills: fleet.kills,
      unexpectedExits: fleet.unexpectedExits,
      loggedErrors: fleet.problems.length,
      timeline,
      seconds,
      logDir,
      annotationsMissing: annotationsMissing.length,
      line: summaryLine(scenario.name, verdict, fleet, seconds, annotationsMissing.length),
      passed,
    };
  } finally {
    await fleet.killAll();
    await events?.close();
    await monitor.close();
    await receiver.close();
  }
}

/** The durable consumer (stream suffix, name) whose in-flight messages a kill of the group leaves behind. */
const busyConsumers: Record<string, [string, string]> = {
  evaluator: ['EVENTS', 'herald-evaluator'],
  sink: ['NOTIFICATIONS', 'herald-sink-webhook'],
  state: ['RESULTS', 'herald-state'],
};

/**
 * Waits up to `maxWaitMs` until the durable has unacknowledged messages, its per-partition consumers
 * (`<durable>-p<N>`, for ordered events) counted together; how many (0: it stayed idle).
 */
async function inFlight(nc: NatsConnection, stream: string, durable: string, maxWaitMs: number): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  // No API check: nats-server may be restarting right now (then the consumer simply counts as idle).
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  const ours = (name: string) => name === durable || new RegExp(`^${durable}-p\\d+$`).test(name);
  for (;;) {
    let pending = 0;
    try {
      for await (const c of jsm.consumers.list(stream)) if (ours(c.name)) pending += c.num_ack_pending;
    } catch {
      // Restarting: idle as far as we can tell.
    }
    if (pending > 0) return pending;
    if (Date.now() > deadline) return 0;
    await delay(20);
  }
}

/** The bus settled and the receiver has been quiet for a while: nothing is in flight, nothing waits. */
async function settled(servers: string, streams: string[], receiver: FaultReceiver, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = receiver.requests.length;
    await waitForSettled(servers, streams, Math.max(deadline - Date.now(), 1_000));
    await delay(1_500);
    await waitForSettled(servers, streams, Math.max(deadline - Date.now(), 1_000));
    if (receiver.requests.length === before) return;
    if (Date.now() > deadline) throw new Error(`the receiver was still getting requests ${timeoutMs} ms after the drive`);
  }
}

export const summaryHeader = `${'scenario'.padEnd(18)} ${'N'.padStart(6)} ${'received'.padStart(9)} ${'duplicates'.padStart(10)} ${'dead-lettered'.padStart(13)} ${'lost'.padStart(6)}`;

function summaryLine(name: string, v: Verdict, fleet: Fleet, seconds: number, annotationsMissing: number): string {
  const extra = [
    `double-sends=${v.doubleSends}`,
    `key-conflicts=${v.keyConflicts}`,
    `unexpected=${v.unexpected}`,
    `transient=${v.optional.received}/${v.optional.planned}`,
    `poison-missing=${v.poisonMissing}`,
    `annotations-missing=${annotationsMissing}`,
    `kills=${fleet.kills}`,
    `exits=${fleet.unexpectedExits.length}`,
    `requests=${v.requests}`,
    `${seconds.toFixed(0)}s`,
  ];
  return `${name.padEnd(18)} ${String(v.expected).padStart(6)} ${String(v.received).padStart(9)} ${String(v.duplicates).padStart(10)} ${String(v.deadLettered).padStart(13)} ${String(v.lost).padStart(6)}   ${extra.join(' ')}`;
}
