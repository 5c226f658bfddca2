import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { ControlPlane, NatsCluster, NatsServer } from '@herald/test-harness';
import { waitForSettled } from '../support/bus-settled.ts';
import { applyHeraldRbac, createConfigMap } from '../support/cluster-setup.ts';
import { check, kept, type Poison, type Verdict } from './checker.ts';
import { readDeadLetters } from './dead-letters.ts';
import { engineConfig, notificationConfig, podsWithoutNotifiedKey, stateKey, subscribe } from './fault-config.ts';
import { followEvents } from './event-index.ts';
import { noFailures, startFaultReceiver, type FailurePolicy, type FaultReceiver, type RecordedRequest } from './fault-receiver.ts';
import { heraldFleet, type Fleet, type Member, type Placement, type Role } from './herald-fleet.ts';
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
  /** On the cluster: replica k runs inside cluster host `hosts[k % length]` (cut with it by a partition). */
  hosts?: readonly number[];
}

/** What the scenarios run on: one nats-server, or a three-member cluster on hosts of their own. */
export interface FaultWorld {
  cp: ControlPlane;
  nats?: NatsServer;
  cluster?: NatsCluster;
  logRoot: string;
  seed: number;
}

export interface FaultContext {
  readonly fleet: Fleet;
  /** The one nats-server of the single-server suite. */
  readonly nats: NatsServer | undefined;
  /** The cluster of the cluster suite. */
  readonly cluster: NatsCluster | undefined;
  readonly cp: ControlPlane;
  readonly receiver: FaultReceiver;
  readonly driver: PodDriver;
  readonly random: Random;
  readonly size: FaultSize;
  /** Subjects of this installation start with it (`<prefix>.events.3`). */
  readonly subjectPrefix: string;
  /** Its streams' names start with it (`<prefix>_EVENTS`, `KV_<prefix>_STATE`). */
  readonly streamPrefix: string;
  /** Adds a line to the scenario's timeline. */
  note(what: string): void;
  /**
   * SIGKILLs one process of the group at random (with `onHost`, one running in that cluster host; with
   * `signal` SIGTERM, stops it cleanly instead); a replacement is started `downMs` later, on the victim's host
   * unless it is cut off.
   */
  killAndReplace(group: string, downMs: number, onHost?: number, signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Publishes raw bytes on a subject of the bus; the checker expects each in the dead-letter stream. */
  poison(subject: string, payload: string): Promise<void>;
  /** Records how long Herald took to recover from a fault (the report shows the longest). */
  recovered(what: string, ms: number): void;
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
  /** More options of the Kubernetes source for this scenario (e.g. `{ checkpoint: true }`). */
  source?: Record<string, unknown>;
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
  /** Pending → Running on the bus to the receiver's first 200, per expected notification (ms). */
  latency: { p50: number; p99: number };
  /** Longest time between two answered requests while notifications were due: what a fault stalled. */
  longestGapMs: number;
  /** Longest recovery of the scenario's faults (ms), when it recorded any. */
  recoveryMs: number | undefined;
  /** One line: `scenario  N  received  duplicates  dead-lettered  lost` and what else was seen. */
  line: string;
  passed: boolean;
}

/**
 * Runs one fault scenario on its own namespace, streams and receiver: starts its Herald processes, drives
 * the Pods while the scenario injects its faults, waits until the bus settled, and judges the receiver's log.
 */
export async function runScenario(world: FaultWorld, scenario: FaultScenario, size: FaultSize): Promise<ScenarioReport> {
  const started = Date.now();
  const { cp, nats, cluster } = world;
  const servers = cluster ? cluster.urls : [nats!.url];
  const random = seededRandom(world.seed);
  const prefix = `FLT_${scenario.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
  const timeline: string[] = [];
  const note = (what: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${what}`);
  const logDir = join(world.logRoot, scenario.name);
  const receiver = await startFaultReceiver(seededRandom(world.seed + 1));
  const namespace = await cp.createNamespace(`faults-${scenario.name}`);
  await applyHeraldRbac(cp, namespace);
  await createConfigMap(cp, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'herald-notifications-cm', namespace }, data: notificationConfig(receiver.url) });
  const fleet = heraldFleet({ dir: logDir, config: engineConfig(servers, prefix, namespace, size, cluster ? 3 : 1, scenario.source), env: { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: namespace } });
  const groupOf = new Map(scenario.groups.map((g) => [g.name, g]));
  const recoveries: number[] = [];
  // Processes inside a cluster host reach the apiserver and the receiver through the host's link.
  if (cluster) {
    const used = new Set(scenario.groups.flatMap((g) => g.hosts ?? []));
    for (const h of used) {
      await cluster.members[h]!.host.forward(Number(new URL(cp.server).port));
      await cluster.members[h]!.host.forward(Number(new URL(receiver.url).port));
    }
  }
  /** Where the next process of the group runs: its hosts in turn, skipping a cut one (a scheduler would). */
  const startsOf = new Map<string, number>();
  const placement = (group: Group, preferred?: number): Placement | undefined => {
    if (!cluster || !group.hosts?.length) return undefined;
    const n = startsOf.get(group.name) ?? 0;
    startsOf.set(group.name, n + 1);
    const candidates = [...(preferred === undefined ? [] : [preferred]), ...group.hosts.map((_, k) => group.hosts![(n + k) % group.hosts!.length]!)];
    const host = candidates.find((h) => !cluster.members[h]!.host.isCut) ?? candidates[0]!;
    return { host, wrap: (argv) => cluster.members[host]!.host.command(argv) };
  };
  const startIn = (group: Group, preferred?: number): Promise<Member> => fleet.start(group.name, group.roles, placement(group, preferred));
  const poisoned: Poison[] = [];
  let events: Awaited<ReturnType<typeof followEvents>> | undefined;
  const monitor = await connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 250, pingInterval: 2_000, maxPingOut: 2 });
  try {
    // One process first creates the streams; the others join them.
    const [first, ...rest] = scenario.groups.flatMap((g) => Array.from({ length: g.replicas }, () => g));
    await startIn(first!);
    await Promise.all(rest.map((g) => startIn(g)));
    note(`started ${scenario.groups.map((g) => `${g.replicas}× ${g.name}`).join(', ')}`);
    events = await followEvents(servers, `${prefix}_EVENTS`);
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
      cluster,
      cp,
      receiver,
      driver,
      random,
      size,
      subjectPrefix: prefix.toLowerCase(),
      streamPrefix: prefix,
      note,
      async killAndReplace(group, downMs, onHost, signal = 'SIGKILL') {
        // A kill hurts most while the victim's consumer has messages out: wait (a little) for such a moment.
        const consumer = busyConsumers[group];
        const busy = consumer ? await inFlight(monitor, `${prefix}_${consumer[0]}`, consumer[1], 2_000) : undefined;
        const victim = await fleet.killOne(group, random, onHost === undefined ? undefined : (m) => m.host === onHost, signal);
        note(`${signal} ${victim?.id ?? `(no live ${group})`} at ${(driver.progress * 100).toFixed(0)}% of the drive${busy === undefined ? '' : busy ? ` with ${busy} message(s) unacknowledged` : ', its consumer idle'}`);
        await delay(downMs);
        const replacement = await startIn(groupOf.get(group)!, victim?.host);
        note(`started ${replacement.id}`);
      },
      async poison(subject, payload) {
        const id = `poison-${poisoned.length}-${world.seed}`;
        const nc = await connect({ servers, waitOnFirstConnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
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
      recovered(what, ms) {
        recoveries.push(ms);
        note(`${what}: recovered in ${(ms / 1000).toFixed(1)} s`);
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
    await settled(servers, streams, receiver, size.settleTimeoutMs);
    note(`settled: ${receiver.requests.length} requests`);
    const verdict = check(plan, receiver.requests, await readDeadLetters(servers, `${prefix}_DEAD_LETTERS`), poisoned);
    const latency = latencyOf(plan.expected, events, receiver.requests);
    const longestGapMs = longestGap(receiver.requests);
    const recoveryMs = recoveries.length ? Math.max(...recoveries) : undefined;
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
      latency,
      longestGapMs,
      recoveryMs,
      line: summaryLine(scenario.name, verdict, fleet, seconds, annotationsMissing.length, { latency, longestGapMs, recoveryMs }),
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
async function settled(servers: string[], streams: string[], receiver: FaultReceiver, timeoutMs: number): Promise<void> {
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

/** What a report breaks of the suite's promises, with the context to debug it; '' when it kept them all. */
export function violationsOf(report: ScenarioReport): string {
  const v = report.verdict;
  const violations = [
    ...(v.lost ? [`${v.lost} notification(s) lost`] : []),
    ...(v.doubleSends ? [`${v.doubleSends} notification(s) delivered under more than one Idempotency-Key`] : []),
    ...(v.keyConflicts ? [`${v.keyConflicts} Idempotency-Key(s) reused for another notification`] : []),
    ...(v.unexpected ? [`${v.unexpected} unexpected notification(s)`] : []),
    ...(v.poisonMissing ? [`${v.poisonMissing} poison message(s) not dead-lettered with a reason`] : []),
    ...(report.annotationsMissing ? [`${report.annotationsMissing} Pod(s) whose notified annotation lacks the sent claim`] : []),
    ...report.unexpectedExits.map((e) => `${e.member} exited on its own (code ${e.code}, signal ${e.signal}):\n${e.logTail}`),
  ];
  const context = violations.length ? ['', ...v.details.slice(0, 40), '', 'timeline:', ...report.timeline, `logs: ${report.logDir}`] : [];
  return [...violations, ...context].join('\n');
}

export const summaryHeader = `${'scenario'.padEnd(18)} ${'N'.padStart(6)} ${'received'.padStart(9)} ${'duplicates'.padStart(10)} ${'dead-lettered'.padStart(13)} ${'lost'.padStart(6)}`;

/** Per expected notification: the Running event's time in the stream to the receiver's first 200 for it. */
function latencyOf(expected: readonly { pod: string; marker: string }[], events: { of(pod: string): readonly { at: number; marker: string | undefined; phase: string | undefined }[] }, requests: readonly RecordedRequest[]): { p50: number; p99: number } {
  const answered = new Map<string, number>();
  for (const r of requests) if (r.answer === 200 && !answered.has(r.body)) answered.set(r.body, r.at);
  const samples: number[] = [];
  for (const e of expected) {
    const on = events.of(e.pod).find((x) => x.marker === e.marker && x.phase === 'Running')?.at;
    const at = answered.get(`pod=${e.pod} round=${e.marker}`);
    if (on !== undefined && at !== undefined) samples.push(Math.max(0, at - on));
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? 0;
  return { p50: q(0.5), p99: q(0.99) };
}

/** Longest silence between two answered requests, first to last. */
function longestGap(requests: readonly RecordedRequest[]): number {
  const times = requests.filter((r) => r.answer === 200).map((r) => r.at).sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
  return gap;
}

function summaryLine(name: string, v: Verdict, fleet: Fleet, seconds: number, annotationsMissing: number, timing: { latency: { p50: number; p99: number }; longestGapMs: number; recoveryMs: number | undefined }): string {
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
    `p50=${timing.latency.p50}ms`,
    `p99=${timing.latency.p99}ms`,
    `longest-gap=${(timing.longestGapMs / 1000).toFixed(1)}s`,
    ...(timing.recoveryMs === undefined ? [] : [`recovered-in=${(timing.recoveryMs / 1000).toFixed(1)}s`]),
    `${seconds.toFixed(0)}s`,
  ];
  return `${name.padEnd(18)} ${String(v.expected).padStart(6)} ${String(v.received).padStart(9)} ${String(v.duplicates).padStart(10)} ${String(v.deadLettered).padStart(13)} ${String(v.lost).padStart(6)}   ${extra.join(' ')}`;
}
