/**
 * `scripts/dev bench` (or `node --conditions=herald-source test/bench/src/e2e-bench.ts`): Herald and Argo's Go
 * engine side by side, end to end on real parts, the seed scenario at scale. One kube-apiserver and one loopback
 * HTTP receiver; the engines take turns (Herald, Go engine at the seed's client QPS, Go engine with QPS raised,
 * Herald, …, BENCH_REPEAT rounds), each run on a fresh namespace holding the seed ConfigMap unchanged but for the
 * webhook URL:
 * - Herald: one `herald run` (every role in one process, defaults but for small stream limits) on its own fresh
 *   nats-server;
 * - the Go engine: test/argo-engine (HERALD_ARGO_ENGINE, built by scripts/dev), the real notifications-engine
 *   hosted as the seed article hosts it (Pod informer, 10 workers), client QPS/Burst from BENCH_GO_QPS
 *   (client-go's 5/10, what the seed runs with) or BENCH_GO_RAISED_QPS.
 *
 * Each run: RSS steady at each BENCH_WATCHED count up to the burst size; burst (BENCH_BURST_PODS → Running at
 * once; time to the last webhook; CPU per notification from /proc, Herald's nats-server too); BENCH_WARM_BURSTS
 * (default 1) more of them on fresh Pods in the same process, for the CPU a process pays once warm; Herald: the
 * pipeline at saturation (BENCH_SATURATION_EVENTS Running events of fresh Pods published straight onto its bus at
 * once; notifications/s and CPU per notification, the Pods then made Running for real); RSS at the larger
 * watched counts; rate (fresh Pods → Running at each of BENCH_RATES changes/s for BENCH_RATE_SECONDS; latency
 * patch → receipt); start → synced → idle of a new process with every Pod there, BENCH_RESTART_WAIT_SECONDS after
 * the stop (Herald: and when its bus drained). Every Pod that went Running must have had exactly one webhook.
 * Figures, never assertions: the JSON goes to BENCH_E2E_OUT, the table to stdout, the plots (SVG) to
 * BENCH_PLOT_DIR (default docs/benchmarks).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import { jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { parseAllDocuments } from 'yaml';
import { trace } from '@opentelemetry/api';
import { Bus } from '@herald/core-bus';
import { engineConfigSchema, toBusOptions } from '@herald/core-kernel';
import { createLogger } from '@herald/core-telemetry';
import type { ResourceEventData } from '@herald/plugin-sdk';
import { freePort, startControlPlane, startNats, type NatsServer } from '@herald/test-harness';
import { firstQuietSecond, type CpuSample } from './idle-window.ts';
import { imageEnv } from './image-env.ts';
import { CONFIG_MAP, findPid, goEngineCommand, heraldRunConfig, SECRET, SUBSCRIBE } from './pending-pods.ts';
import { NatsTrafficMeter } from './nats-traffic.ts';
import { latencyChart, percentile, rssChart, settingLabels, sideBySideTable, type EngineColumn, type EngineRun, type RateRun } from './side-by-side-report.ts';

const list = (v: string) => v.split(',').map(Number).filter((n) => n > 0);
const qpsOf = (v: string) => v.split('/').map(Number) as [number, number];
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const burstPods = Number(process.env.BENCH_BURST_PODS ?? 1_000);
const warmBursts = Number(process.env.BENCH_WARM_BURSTS ?? 1);
const watched = list(process.env.BENCH_WATCHED ?? '50,1000,10000').sort((a, b) => a - b);
const rates = list(process.env.BENCH_RATES ?? '25,50,100,200');
const rateSeconds = Number(process.env.BENCH_RATE_SECONDS ?? 10);
/** How long to wait after the last patch of a rate before counting what is still undelivered as behind. */
const drainMs = Number(process.env.BENCH_DRAIN_SECONDS ?? 30) * 1000;
/** How much longer to wait for the rest before counting it missing (a dead-lettered notification never comes). */
const restMs = Number(process.env.BENCH_REST_SECONDS ?? 300) * 1000;
const seedQps = qpsOf(process.env.BENCH_GO_QPS ?? '5/10');
const raisedQps = qpsOf(process.env.BENCH_GO_RAISED_QPS ?? '500/1000');
// At the seed's 5 requests/s the engine patches 5 Pods/s: every rate above falls behind, each by rate × seconds /
// 5 s of drain. The lowest rate shows it; more would only make the run longer.
const seedRates = list(process.env.BENCH_GO_SEED_RATES ?? String(rates[0] ?? ''));
const engines = (process.env.BENCH_ENGINES ?? 'herald,go-seed,go-raised').split(',');
const outPath = process.env.BENCH_E2E_OUT ?? 'bench-e2e-results.json';
const repo = new URL('../../../', import.meta.url);
const plotDir = process.env.BENCH_PLOT_DIR ?? fileURLToPath(new URL('docs/benchmarks/', repo));
/**
 * How Herald runs: `bundle` (the default) is what the image runs (`core/cli/dist/bundle/main.js`, the herald command
 * bundled by scripts/bundle-cli.ts); `dist` is the compiled packages unbundled (`node core/cli/dist/main.js`); both
 * are built here first (`scripts/build.ts`, incremental). `sources` is the TypeScript sources with type stripping,
 * as development and the tests run it (about 15 MiB more RSS for the stripping).
 */
const heraldFrom = process.env.BENCH_HERALD_FROM ?? 'bundle';
const heraldMains: Record<string, string> = { bundle: 'core/cli/dist/bundle/main.js', dist: 'core/cli/dist/main.js', sources: 'core/cli/src/main.ts' };
if (!(heraldFrom in heraldMains)) throw new Error(`BENCH_HERALD_FROM is "bundle", "dist" or "sources", not "${heraldFrom}"`);
const built = heraldFrom !== 'sources';
/**
 * The environment the image gives Herald's node (deploy/docker/Dockerfile's `ENV`: NODE_ENV, NODE_OPTIONS such as
 * V8's young-generation cap, GLIBC_TUNABLES for malloc), read from the Dockerfile so the benchmark runs what the
 * image runs.
 */
const imageNodeEnv: Record<string, string> = built ? imageEnv(['NODE_ENV', 'NODE_OPTIONS', 'GLIBC_TUNABLES']) : {};
/** Messages published to a stream like Herald's event stream to measure the raw JetStream publish rate. */
const rawPublishCount = Number(process.env.BENCH_RAW_PUBLISH_COUNT ?? 20_000);
/**
 * Herald only: Running events published straight onto its bus at once, one per fresh Pod, for the pipeline's own
 * rate at saturation, without the apiserver's pace of status PATCHes (0: not measured).
 */
const saturationEvents = Number(process.env.BENCH_SATURATION_EVENTS ?? 2_000);
/** Extra node flags for the Herald process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const nodeFlags = (process.env.BENCH_HERALD_NODE_FLAGS ?? '').split(' ').filter(Boolean);
/** Tap every request on Herald's nats-server during the burst and sort them by kind (costs nats-server CPU). */
const natsTap = process.env.BENCH_NATS_TAP === '1';
/** How long an engine rests after going idle before its RSS is read ("RSS steady"). */
const settleMs = Number(process.env.BENCH_RSS_SETTLE_SECONDS ?? 40) * 1000;
/** Idle: a whole second in which the engine and its nats-server used at most this many CPU-seconds (a CPU profile alone costs Herald ~0.03). */
const idleCpu = Number(process.env.BENCH_IDLE_CPU ?? 0.02);
/** Print, while waiting for idle, each second's CPU by process and thread, nats-server's message counters and every durable consumer's position. */
const debugIdle = process.env.BENCH_DEBUG_IDLE === '1';
/**
 * More environment for Herald alone, `NAME=value` separated by spaces, over the image's: another allocator, for
 * instance (`LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2`; docs/benchmarks.md, "Sixteenth wave"), or
 * other malloc thresholds (`GLIBC_TUNABLES=…`, "Seventeenth wave"; `GLIBC_TUNABLES=` for glibc's own).
 */
const heraldExtraEnv: Record<string, string> = Object.fromEntries(
  (process.env.BENCH_HERALD_ENV ?? '').split(/\s+/).filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
/** Where to copy each engine's /proc/<pid>/smaps when its RSS is read at rest, to take the RSS apart. */
const smapsDir = process.env.BENCH_SMAPS_DIR;
/**
 * Seconds between stopping an engine and starting it again. Started again at once, the events of Pods unchanged
 * since their last publish are dropped by Herald's bus as repeats within its duplicate window (2 minutes).
 */
const restartWaitMs = Number(process.env.BENCH_RESTART_WAIT_SECONDS ?? 0) * 1000;
/** BENCH_HERALD_SOURCE: more options of Herald's Kubernetes source, JSON (`{"checkpoint":true}`). */
const heraldSource = process.env.BENCH_HERALD_SOURCE ? (JSON.parse(process.env.BENCH_HERALD_SOURCE) as Record<string, unknown>) : undefined;
const out = (line: string) => process.stdout.write(`${line}\n`);
const cliMain = fileURLToPath(new URL(heraldMains[heraldFrom]!, repo));
if (built && engines.includes('herald')) {
  const build = spawnSync(process.execPath, [fileURLToPath(new URL('scripts/build.ts', repo))], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`building Herald for the benchmark failed (${build.status ?? build.signal})`);
}
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const clockTicks = 100; // USER_HZ on Linux
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

/** One column of the table: how an engine is started. */
interface Setting {
  key: string;
  label: string;
  rates: number[];
  /** Warm bursts after the first (none at the seed's client QPS: each would be another 200 s of PATCHes at 5/s). */
  warmBursts: number;
  start(namespace: string): Promise<Engine>;
}

/** A running engine process (and Herald's nats-server, which lives as long as the run, not the process). */
interface Engine {
  pid: number;
  natsPid?: number;
  /** ms from spawn to synced: Herald's /readyz answering 200, the Go host's `synced` line. */
  syncedMs: number;
  /**
   * Resolves once the engine has nothing in progress that the figures should wait for: with when it went quiet
   * (`performance.now()`), or undefined for an engine with no queue of its own.
   */
  settled(): Promise<number | undefined>;
  /**
   * Herald: a connection to its bus that publishes resource events as a source process would
   * (docs/reference/bus.md), all at once; `publish` resolves when the bus has stored every one.
   */
  eventPublisher?(): Promise<{ publish(events: ResourceEventData[]): Promise<void>; close(): Promise<void> }>;
  stop(): Promise<void>;
}

// The receiver (its own process): arrivals stamped on the wall clock, the clock the patches are timed with here.
const now = () => performance.timeOrigin + performance.now();
const arrivals = new Map<string, number>();
const counts = new Map<string, number>();
const receiver = fork(fileURLToPath(new URL('webhook-receiver.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const receiverUrl = await new Promise<string>((resolve, reject) => {
  receiver.once('exit', (code) => reject(new Error(`the webhook receiver exited ${code}`)));
  receiver.on('message', (m: { port?: number; arrivals?: [string, number][] }) => {
    if (m.port) resolve(`http://127.0.0.1:${m.port}`);
    for (const [name, at] of m.arrivals ?? []) {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (!arrivals.has(name)) arrivals.set(name, at);
    }
  });
});

const cp = await startControlPlane();
const core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
const how: Record<string, Pick<Setting, 'rates' | 'warmBursts' | 'start'>> = {
  herald: { rates, warmBursts, start: startHerald },
  'go-seed': { rates: seedRates, warmBursts: 0, start: (ns) => startGoEngine(ns, seedQps) },
  'go-raised': { rates, warmBursts, start: (ns) => startGoEngine(ns, raisedQps) },
};
const settings: Setting[] = settingLabels(seedQps[0], raisedQps[0])
  .filter((s) => engines.includes(s.key))
  .map((s) => ({ ...s, ...how[s.key]! }));
const columns: EngineColumn[] = settings.map((s) => ({ label: s.label, runs: [] }));
const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, node: process.version },
  sizes: { repeat, burstPods, warmBursts, watched, rates, rateSeconds, drainMs, seedQps, raisedQps, seedRates },
  herald: { from: heraldFrom, env: { ...imageNodeEnv, ...heraldExtraEnv }, nodeFlags },
  runs: [] as unknown[],
};
const currentNats: { server?: NatsServer } = {};

try {
  for (let round = 1; round <= repeat; round++) {
    for (const [i, setting] of settings.entries()) {
      const load = loadavg()[0]!;
      out(`\n== round ${round}/${repeat}: ${setting.label} (load average ${load.toFixed(1)}) ==`);
      const run = await runOnce(setting, `${setting.key}-${round}`);
      columns[i]!.runs.push(run);
      (results.runs as unknown[]).push({ engine: setting.key, round, loadAverage: [load, loadavg()[0]], ...run });
      writeFileSync(outPath, `${JSON.stringify(results, null, 2)}\n`);
    }
  }
} finally {
  receiver.disconnect();
  await cp.stop();
  writeFileSync(outPath, `${JSON.stringify(results, null, 2)}\n`);
}

const table = sideBySideTable(columns);
results.table = table;
writeFileSync(outPath, `${JSON.stringify(results, null, 2)}\n`);
out(`\n${table}\n`);
mkdirSync(plotDir, { recursive: true });
writeFileSync(join(plotDir, 'latency-vs-rate.svg'), latencyChart(columns));
writeFileSync(join(plotDir, 'rss-vs-watched.svg'), rssChart(columns));
out(`plots: ${join(plotDir, 'latency-vs-rate.svg')}, ${join(plotDir, 'rss-vs-watched.svg')}`);
if (columns.some((c) => c.runs.some((r) => r.delivery.missing + r.delivery.duplicated + r.delivery.unexpected > 0))) process.exitCode = 1;

/** Every scenario against one engine setting on a fresh namespace; the Pods are deleted afterwards. */
async function runOnce(setting: Setting, tag: string): Promise<EngineRun> {
  const namespace = await cp.createNamespace(`bench-${setting.key}`);
  await core.createNamespacedConfigMap({ namespace, body: seedConfigMap(namespace) });
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: SECRET } } });
  const podName = (i: number) => `${tag}-${i}`;
  let created = 0;
  const createPods = async (upTo: number) => {
    await pool(upTo - created, 50, async (i) => {
      const body = { metadata: { name: podName(created + i), annotations: SUBSCRIBE }, spec: { containers: [{ name: 'app', image: 'app' }] } };
      await retried(() => core.createNamespacedPod({ namespace, body }), (err) => (err as { code?: number }).code === 409);
    });
    created = Math.max(created, upTo);
  };
  // The API server may close a connection under load (HTTP/2 GOAWAY): a merge patch is safe to send again.
  const running = (name: string) => retried(() => core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase: 'Running' } } }, mergePatch));
  const expected: string[] = [];
  const rss: EngineRun['rss'] = [];
  let engine: Engine | undefined;
  /**
   * `names` → Running at once (100 PATCHes in flight): when the last PATCH was answered and the last webhook came,
   * from the first PATCH; CPU per notification from then until idle (Herald: its nats-server apart).
   */
  const timedBurst = async (names: string[]) => {
    const cpuBefore = { engine: cpuSeconds(engine!.pid), nats: engine!.natsPid ? cpuSeconds(engine!.natsPid) : 0 };
    const start = now();
    await pool(names.length, 100, (i) => running(names[i]!));
    const lastPatchMs = now() - start;
    await waitFor(() => names.every((n) => arrivals.has(n)), `${names.length} webhooks`, restMs + names.length * 250, 20).catch(() => out(`  ${names.filter((n) => !arrivals.has(n)).length} never arrived`));
    const lastWebhookMs = Math.max(...names.map((n) => arrivals.get(n) ?? Infinity)) - start;
    await idle(engine!);
    const cpuMs = (seconds: number) => (seconds * 1000) / names.length;
    return {
      lastWebhookMs,
      lastPatchMs,
      cpuMsPerNotification: cpuMs(cpuSeconds(engine!.pid) - cpuBefore.engine),
      natsCpuMsPerNotification: engine!.natsPid ? cpuMs(cpuSeconds(engine!.natsPid) - cpuBefore.nats) : undefined,
    };
  };
  /** A timed burst with the NATS messages sent during it counted from the server's monitoring (`tap`: also sorted by kind). */
  const meteredBurst = async (names: string[], tap: boolean) => {
    const traffic = currentNats.server?.monitorUrl ? await NatsTrafficMeter.start(currentNats.server.monitorUrl, currentNats.server.url, tap) : undefined;
    await traffic?.begin();
    const measured: Awaited<ReturnType<typeof timedBurst>> & { heraldMessages?: number } = await timedBurst(names);
    const nats = await traffic?.end();
    await traffic?.close();
    return { measured, nats };
  };
  try {
    const measureRss = async (count: number) => {
      await createPods(count);
      await idle(engine!);
      // At rest, not at the first quiet second: Herald hands back the heap a burst left once it has been quiet a
      // while (memory.releaseWhenIdle, after 30 s quiet), and an engine's RSS at rest is what a user sees. Both engines wait alike.
      const rssAtIdle = memory(engine!.pid).rss;
      await delay(settleMs);
      if (smapsDir) writeFileSync(join(smapsDir, `${tag}-${count}.smaps`), readFileSync(`/proc/${engine!.pid}/smaps`));
      const { rss: atRest, hwm: peak } = memory(engine!.pid);
      const m = { watched: count, rss: atRest, rssAtIdle, peak, natsRss: engine!.natsPid ? memory(engine!.natsPid).rss : undefined };
      rss.push(m);
      out(`RSS steady, ${count} Pods watched: ${mib(m.rss)} MiB${m.natsRss ? ` (+ nats-server ${mib(m.natsRss)})` : ''}; ${mib(rssAtIdle)} MiB when it went idle, ${settleMs / 1000} s before; ${mib(peak)} MiB at most so far`);
    };

    // RSS at the watched counts up to the burst's size.
    await createPods(watched[0] ?? 1);
    engine = await setting.start(namespace);
    for (const count of watched.filter((n) => n <= burstPods)) await measureRss(count);
    await createPods(burstPods);
    await idle(engine);

    // Burst: the first burstPods Pods → Running at once.
    const burstNames = Array.from({ length: burstPods }, (_, i) => podName(i));
    expected.push(...burstNames);
    const { measured, nats } = await meteredBurst(burstNames, natsTap);
    const { lastWebhookMs, lastPatchMs } = measured;
    const burst: EngineRun['burst'] = { pods: burstPods, ...measured };
    if (nats) {
      burst.nats = nats;
      const per = (n: number) => (n / burstPods).toFixed(1);
      out(`burst NATS traffic per notification: ${per(nats.heraldMessages)} messages from Herald, ${per(nats.jsApiCalls)} JetStream API calls`);
      if (nats.requests) for (const [kind, n] of Object.entries(nats.requests)) out(`  ${per(n).padStart(6)}  ${kind}`);
    }
    out(`burst: ${burstPods} Pods → Running: ${(lastWebhookMs / 1000).toFixed(1)} s to the last webhook (the last status PATCH answered at ${(lastPatchMs / 1000).toFixed(1)} s); CPU per notification ${burst.cpuMsPerNotification.toFixed(2)} ms${burst.natsCpuMsPerNotification === undefined ? '' : ` + nats-server ${burst.natsCpuMsPerNotification.toFixed(2)} ms`}`);
    if (currentNats.server) {
      burst.rawPublish = await rawPublishRate(currentNats.server.url, 'BENCH_EVENTS', rawPublishCount);
      out(`raw JetStream publish on the same nats-server: ${burst.rawPublish.perSecond.toFixed(0)} messages/s of ${burst.rawPublish.bytes} B; the burst delivered ${((burstPods * 1000) / lastWebhookMs).toFixed(0)}/s`);
    }

    // The same burst again on fresh Pods, in the process that ran the first: what a long-running process pays per
    // notification, its code compiled and optimised by then (the first burst pays for that too).
    burst.warm = [];
    for (let round = 0; round < setting.warmBursts; round++) {
      const first = created;
      const names = Array.from({ length: burstPods }, (_, i) => podName(first + i));
      await createPods(first + burstPods);
      await idle(engine);
      expected.push(...names);
      // Never tapped: whether a process that has run longer sends more per notification.
      const { measured: warm, nats: warmNats } = await meteredBurst(names, false);
      if (warmNats) warm.heraldMessages = warmNats.heraldMessages;
      burst.warm.push(warm);
      const messages = warmNats ? `, ${(warmNats.heraldMessages / burstPods).toFixed(1)} NATS messages from Herald` : '';
      out(`warm burst ${round + 1}: ${burstPods} fresh Pods → Running: ${(warm.lastWebhookMs / 1000).toFixed(1)} s to the last webhook; CPU per notification ${warm.cpuMsPerNotification.toFixed(2)} ms${warm.natsCpuMsPerNotification === undefined ? '' : ` + nats-server ${warm.natsCpuMsPerNotification.toFixed(2)} ms`}${messages}`);
    }

    // Saturation: fresh Pods (Pending, evaluated), then a Running event for each published onto Herald's bus at
    // once, as a source process would: how fast the pipeline itself delivers (evaluator, sink, result, state with
    // its annotation PATCH), without the apiserver's pace of status PATCHes that sets a burst's. Afterwards the
    // Pods are made Running for real, as the events said (already notified: nothing more is sent), so that the
    // start-up below finds every notified Pod as a burst leaves it. An engine without a bus gets the Pods too,
    // left Pending, so that every engine's start has as many.
    const saturationFirst = created;
    const saturationNames = Array.from({ length: saturationEvents }, (_, i) => podName(saturationFirst + i));
    if (saturationNames.length) {
      await createPods(saturationFirst + saturationNames.length);
      await idle(engine);
    }
    if (engine.eventPublisher && saturationNames.length) {
      expected.push(...saturationNames);
      const fresh = new Set(saturationNames);
      const events = (await core.listNamespacedPod({ namespace })).items.filter((p) => fresh.has(p.metadata!.name!)).map((p) => runningEvent(p, namespace));
      const source = await engine.eventPublisher();
      const cpuBefore = { engine: cpuSeconds(engine.pid), nats: engine.natsPid ? cpuSeconds(engine.natsPid) : 0 };
      const start = now();
      let publishMs: number;
      try {
        await source.publish(events);
        publishMs = now() - start;
      } finally {
        await source.close();
      }
      await waitFor(() => saturationNames.every((n) => arrivals.has(n)), `${saturationNames.length} webhooks`, restMs + saturationNames.length * 250, 20).catch(() => out(`  ${saturationNames.filter((n) => !arrivals.has(n)).length} never arrived`));
      const lastWebhookMs = Math.max(...saturationNames.map((n) => arrivals.get(n) ?? Infinity)) - start;
      await idle(engine);
      const cpuMs = (seconds: number) => (seconds * 1000) / saturationNames.length;
      burst.saturation = {
        events: saturationNames.length,
        publishMs,
        lastWebhookMs,
        cpuMsPerNotification: cpuMs(cpuSeconds(engine.pid) - cpuBefore.engine),
        ...(engine.natsPid ? { natsCpuMsPerNotification: cpuMs(cpuSeconds(engine.natsPid) - cpuBefore.nats) } : {}),
      };
      await pool(saturationNames.length, 100, (i) => running(saturationNames[i]!));
      await idle(engine);
      const s = burst.saturation;
      out(`saturation: ${s.events} Running events published onto the bus in ${(publishMs / 1000).toFixed(2)} s, the last webhook at ${(lastWebhookMs / 1000).toFixed(1)} s: ${((s.events * 1000) / lastWebhookMs).toFixed(0)} notifications/s; CPU per notification ${s.cpuMsPerNotification.toFixed(2)} ms${s.natsCpuMsPerNotification === undefined ? '' : ` + nats-server ${s.natsCpuMsPerNotification.toFixed(2)} ms`}`);
    }

    // RSS at the larger watched counts (Pending Pods: nothing to send); the rates below run with them watched.
    for (const count of watched.filter((n) => n > burstPods)) await measureRss(count);

    // Rate: fresh Pods, one → Running every 1/rate s, for rateSeconds; each rate after the previous drained.
    const rateRuns: RateRun[] = [];
    for (const rate of setting.rates) {
      const count = Math.round(rate * rateSeconds);
      const first = created;
      const names = Array.from({ length: count }, (_, i) => podName(first + i));
      await createPods(first + count);
      await idle(engine);
      expected.push(...names);
      const sentAt = new Map<string, number>();
      const answeredAt = new Map<string, number>();
      const start = now();
      const inFlight: Promise<unknown>[] = [];
      for (let i = 0; i < count; i++) {
        const wait = start + (i * 1000) / rate - now();
        if (wait > 1) await delay(wait);
        sentAt.set(names[i]!, now());
        inFlight.push(running(names[i]!).then(() => answeredAt.set(names[i]!, now())));
      }
      await Promise.all(inFlight);
      const answeredIn = names.map((n) => answeredAt.get(n)! - sentAt.get(n)!).sort((a, b) => a - b);
      await waitFor(() => names.every((n) => arrivals.has(n)), 'the drain', drainMs, 20).catch(() => undefined);
      const latencies = names.map((n) => (arrivals.get(n) ?? Infinity) - sentAt.get(n)!).sort((a, b) => a - b);
      const afterPatch = names.map((n) => (arrivals.get(n) ?? Infinity) - answeredAt.get(n)!).sort((a, b) => a - b);
      const r: RateRun = { rate, seconds: rateSeconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), behind: latencies.filter((l) => l === Infinity).length, count, patchP50Ms: percentile(answeredIn, 50), patchP99Ms: percentile(answeredIn, 99), afterPatchP50Ms: percentile(afterPatch, 50), afterPatchP99Ms: percentile(afterPatch, 99) };
      rateRuns.push(r);
      out(`rate ${rate}/s for ${rateSeconds} s: p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, ${r.behind} of ${count} undelivered ${drainMs / 1000} s after the last patch; the PATCH answered in p50 ${r.patchP50Ms!.toFixed(1)} ms, p99 ${r.patchP99Ms!.toFixed(1)} ms; its answer → webhook p50 ${r.afterPatchP50Ms!.toFixed(1)} ms, p99 ${r.afterPatchP99Ms!.toFixed(1)} ms`);
      // What fell behind has to arrive (exactly once) before the next figure; what never does counts as missing.
      await waitFor(() => names.every((n) => arrivals.has(n)), `${count} webhooks`, restMs, 50).catch(() => out(`  ${names.filter((n) => !arrivals.has(n)).length} never arrived`));
      await idle(engine);
    }

    // Exactly once: one webhook per Pod that went Running, none for this run's other Pods.
    const wanted = new Set(expected);
    const ours = [...counts.keys()].filter((n) => n.startsWith(`${tag}-`));
    const delivery: EngineRun['delivery'] = {
      expected: wanted.size,
      missing: expected.filter((n) => !counts.has(n)).length,
      duplicated: ours.filter((n) => counts.get(n)! > 1).length,
      unexpected: ours.filter((n) => !wanted.has(n)).length,
    };
    out(`delivered: ${delivery.expected - delivery.missing} of ${delivery.expected}, ${delivery.duplicated} twice, ${delivery.unexpected} unexpected`);

    // A new process with every Pod there: start → synced → idle.
    await engine.stop();
    if (restartWaitMs > 0) await delay(restartWaitMs);
    const startedAt = performance.now();
    engine = await setting.start(namespace);
    const { idleAt, quietAt } = await idle(engine);
    const startup: EngineRun['startup'] = { pods: created, syncedMs: engine.syncedMs, idleMs: idleAt - startedAt, cpuSeconds: cpuSeconds(engine.pid), peak: memory(engine.pid).hwm };
    // Herald's bus drained: every event evaluated and what it caused delivered. The Go engine has no queue that
    // outlives a delivery: nothing to report.
    if (quietAt !== undefined) startup.drainedMs = quietAt - startedAt;
    const drained = startup.drainedMs === undefined ? '' : ` (bus drained at ${(startup.drainedMs / 1000).toFixed(1)} s)`;
    out(`start with ${created} Pods: synced ${(startup.syncedMs / 1000).toFixed(1)} s → idle ${(startup.idleMs / 1000).toFixed(1)} s${drained}, ${startup.cpuSeconds.toFixed(1)} CPU-s, RSS at most ${mib(startup.peak!)} MiB`);
    return { burst, rates: rateRuns, rss, startup, delivery };
  } finally {
    await engine?.stop();
    await currentNats.server?.stop();
    currentNats.server = undefined;
    // Pods never scheduled are deleted at once: the next run's apiserver and etcd are not slowed by this one's.
    await core.deleteCollectionNamespacedPod({ namespace }).catch(() => undefined);
  }
}

/** `herald run` as a user runs it (every role), from sources, on the run's nats-server (started with the run). */
async function startHerald(namespace: string): Promise<Engine> {
  currentNats.server ??= await startNats({ monitor: true });
  const nats = currentNats.server;
  const prefix = 'BENCH';
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const port = await freePort();
  const config = heraldRunConfig({ natsUrl: nats.url, prefix, namespace, port, configMap: CONFIG_MAP, ...(heraldSource ? { source: heraldSource } : {}) });
  writeFileSync(join(dir, 'herald.yaml'), JSON.stringify(config));
  const startedAt = performance.now();
  const conditions = heraldFrom === 'sources' ? ['--conditions=herald-source'] : [];
  const child = spawn(process.execPath, [...conditions, ...nodeFlags, cliMain, 'run', '-c', join(dir, 'herald.yaml'), '-o', 'json'], {
    env: { ...process.env, ...imageNodeEnv, ...heraldExtraEnv, KUBECONFIG: cp.adminKubeconfigPath, POD_NAMESPACE: namespace },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = watchProcess(child, 'herald');
  await waitFor(async () => {
    proc.check();
    return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok === true;
  }, 'herald synced', 300_000, 20);
  const streams = [`${prefix}_EVENTS`, `${prefix}_NOTIFICATIONS`, `${prefix}_RESULTS`];
  return {
    pid: child.pid!,
    natsPid: findPid('nats-server', String(nats.port)),
    syncedMs: performance.now() - startedAt,
    settled: () => busSettled(nats.url, streams),
    // The bus as this herald.yaml describes it (subjects, partitions, limits), through Herald's own publisher.
    async eventPublisher() {
      const bus = await Bus.connect(toBusOptions(engineConfigSchema.parse(config)), createLogger('bench', { level: 'silent' }));
      const publisher = bus.publisher('bench/saturation', trace.getTracer('bench'));
      return {
        publish: async (events) => void (await Promise.all(events.map((e) => publisher.resourceEvent(e)))),
        close: () => bus.drain(),
      };
    },
    stop: proc.stop,
  };
}

/** A MODIFIED event saying `pod` (as listed) is Running, as the Kubernetes source would publish it. */
function runningEvent(pod: V1Pod, namespace: string): ResourceEventData {
  const { name, uid, resourceVersion, annotations, creationTimestamp } = pod.metadata!;
  const metadata = { name: name!, namespace, uid: uid!, resourceVersion: resourceVersion!, annotations, creationTimestamp: new Date(creationTimestamp!).toISOString().replace(/\.\d+Z$/, 'Z') };
  return {
    action: 'MODIFIED',
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace, name: name!, uid: uid! },
    resourceVersion: resourceVersion!,
    object: { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'app', image: 'app' }] }, status: { phase: 'Running' } },
  };
}

/** The Go host (test/argo-engine) on the namespace, client QPS/Burst as given. */
async function startGoEngine(namespace: string, [qps, burst]: [number, number]): Promise<Engine> {
  const [binary, args] = goEngineCommand(cp.adminKubeconfigPath, namespace, [qps, burst]);
  const startedAt = performance.now();
  const child = spawn(binary, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = watchProcess(child, 'argo-engine');
  await waitFor(() => {
    proc.check();
    return proc.log().includes('{"event":"synced"}');
  }, 'argo-engine synced', 300_000, 5);
  // The Go engine has no queue of its own that outlives a delivery: once idle, it is settled.
  return { pid: child.pid!, syncedMs: performance.now() - startedAt, settled: async () => undefined, stop: proc.stop };
}

/** Keeps a child's last output for a failure and stops it with SIGTERM. */
function watchProcess(child: ChildProcess, name: string) {
  let log = '';
  const keep = (d: Buffer) => (log = (log + d.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    log: () => log,
    check() {
      if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}:\n${log}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Every stream of the run's nats-server, its last sequence and each durable consumer's delivered / pending /
 * unacknowledged / pull requests waiting (the evaluator's partitions summed into one).
 */
async function consumerStats(): Promise<string> {
  const url = currentNats.server?.monitorUrl;
  if (!url) return '';
  type Consumer = { name: string; delivered: { stream_seq: number }; num_pending: number; num_ack_pending: number; num_waiting: number };
  const jsz = (await (await fetch(`${url}/jsz?consumers=true`)).json()) as { account_details?: { stream_detail?: { name: string; state: { last_seq: number }; consumer_detail?: Consumer[] }[] }[] };
  return (jsz.account_details ?? [])
    .flatMap((a) => a.stream_detail ?? [])
    .map((st) => {
      const byName = new Map<string, Consumer>();
      for (const c of st.consumer_detail ?? []) {
        const name = c.name.replace(/-p\d+$/, '-p*');
        const sum = byName.get(name);
        byName.set(name, sum ? { name, delivered: { stream_seq: Math.max(sum.delivered.stream_seq, c.delivered.stream_seq) }, num_pending: sum.num_pending + c.num_pending, num_ack_pending: sum.num_ack_pending + c.num_ack_pending, num_waiting: sum.num_waiting + c.num_waiting } : { ...c, name });
      }
      return `${st.name}[last ${st.state.last_seq}: ${[...byName.values()].map((c) => `${c.name} ${c.delivered.stream_seq}/${c.num_pending}/${c.num_ack_pending}/${c.num_waiting}`).join(', ')}]`;
    })
    .join(' ');
}

/** Messages in and out of the run's nats-server so far, all connections. */
async function natsMessages(): Promise<string> {
  const url = currentNats.server?.monitorUrl;
  if (!url) return '';
  const v = (await (await fetch(`${url}/varz`)).json()) as { in_msgs: number; out_msgs: number };
  return `nats in ${v.in_msgs} out ${v.out_msgs}`;
}

/** CPU-seconds so far of each thread of `pid`, summed by thread name (V8's GC helpers are `V8Worker`), and the main thread's system time apart. */
function threadCpu(pid: number): string {
  const by = new Map<string, number>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const { name, user, system } = statCpu(`/proc/${pid}/task/${t}/stat`);
      by.set(name, (by.get(name) ?? 0) + user + system);
      if (name === 'MainThread') by.set('MainThread-sys', system);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return [...by].map(([n, v]) => `${n}=${v.toFixed(2)}`).join(' ');
}

/**
 * Idle: the engine settled, then a whole second in which it (and its nats-server) used at most `idleCpu`. The
 * second may start from when the engine went quiet: for Herald, when its bus's consumers stopped moving (the
 * settle check needs half a second of that to say so, and that half second is not added to Herald's idle);
 * for an engine without a bus, from now. The CPU is sampled every 100 ms from the call on, and a second may
 * start at any sample from then: the figure is as fine as the samples for both engines. (Until the eleventh
 * wave, seconds followed one another from that start, so an engine busy until it went quiet was idle a whole
 * second later: Herald's first second counted the sample just before the drain, the Go engine's began at its
 * sync.) Returns when the first quiet second started (`idleAt`) and when the bus went quiet.
 */
async function idle(engine: Engine): Promise<{ idleAt: number; quietAt: number | undefined }> {
  const t0 = performance.now();
  const pids = [engine.pid, ...(engine.natsPid ? [engine.natsPid] : [])];
  const samples: CpuSample[] = [];
  const sample = () => samples.push({ at: performance.now(), cpu: pids.map(cpuSeconds) });
  sample();
  const sampler = setInterval(sample, 100);
  try {
    const quietAt = await engine.settled();
    if (debugIdle) out(`  settled after ${(performance.now() - t0).toFixed(0)} ms ${await consumerStats()}`);
    // The first sample at or after the bus went quiet (with no bus: the first) is the earliest a second may start.
    let start = quietAt === undefined ? 0 : samples.findIndex((x) => x.at >= quietAt);
    if (start < 0) start = samples.length - 1;
    let printed = start;
    const deadline = performance.now() + 120_000;
    for (;;) {
      const found = firstQuietSecond(samples, start, idleCpu);
      if ('idle' in found || performance.now() > deadline) {
        const at = samples['idle' in found ? found.idle : Math.min(found.next, samples.length - 1)]!.at;
        if (debugIdle) out(`  idle from +${(at - t0).toFixed(0)} ms: ${await consumerStats()}`);
        return { idleAt: at, quietAt };
      }
      start = found.next;
      const last = samples[samples.length - 1]!;
      if (debugIdle && last.at - samples[printed]!.at >= 1_000) {
        out(`  +${(last.at - t0).toFixed(0)} ms: CPU ${last.cpu.map((c, i) => (c - samples[printed]!.cpu[i]!).toFixed(2)).join(' / ')} threads ${threadCpu(engine.pid)} ${await natsMessages()}`);
        printed = samples.length - 1;
      }
      await delay(100);
    }
  } finally {
    clearInterval(sampler);
  }
}

function seedConfigMap(namespace: string): V1ConfigMap {
  const docs = parseAllDocuments(readFileSync(new URL('test/fixtures/reference-scenario.yaml', repo), 'utf8')).map((d) => d.toJS() as V1ConfigMap);
  const cm = docs.find((d) => d.kind === 'ConfigMap')!;
  const data = Object.fromEntries(Object.entries(cm.data ?? {}).map(([k, v]) => [k, v.replace('http://webhook.default:8080', receiverUrl)]));
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CONFIG_MAP, namespace }, data };
}

/**
 * The raw JetStream publish rate on `url`: `count` messages of the average size of `like`'s messages (Herald's
 * event stream after the burst) published to a new stream of `like`'s configuration, 256 acks awaited at a time
 * from one connection (what one well-pipelined publisher gets from this nats-server), then the stream deleted.
 */
async function rawPublishRate(url: string, like: string, count: number): Promise<{ perSecond: number; bytes: number; count: number }> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const { config, state } = await jsm.streams.info(like);
    const bytes = state.messages > 0 ? Math.round(state.bytes / state.messages) : 1_024;
    const name = 'BENCH_RAW_PUBLISH';
    await jsm.streams.add({ ...config, name, subjects: ['bench.raw.publish'], max_bytes: -1 });
    const js: JetStreamClient = jsm.jetstream();
    const payload = new Uint8Array(bytes).fill(0x78);
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: 256 }, async () => {
      while (next < count) {
        next++;
        await js.publish('bench.raw.publish', payload);
      }
    }));
    const perSecond = count / ((performance.now() - started) / 1000);
    await jsm.streams.delete(name);
    return { perSecond, bytes, count };
  } finally {
    await nc.close();
  }
}

/** Every durable consumer of the pipeline's streams idle for half a second; when they went idle. */
async function busSettled(url: string, streams: string[], timeoutMs = 300_000): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    let quietSince: number | undefined;
    await waitFor(async () => {
      let busy = false;
      for (const stream of streams) {
        for await (const c of jsm.consumers.list(stream)) if (c.config.durable_name && (c.num_pending > 0 || c.num_ack_pending > 0)) busy = true;
      }
      if (busy) quietSince = undefined;
      else quietSince ??= performance.now();
      return quietSince !== undefined && performance.now() - quietSince > 500;
    }, 'the bus settled', timeoutMs, 100);
    return quietSince!;
  } finally {
    await nc.close();
  }
}

async function waitFor(done: () => boolean | Promise<boolean>, what: string, timeoutMs: number, everyMs = 5): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(everyMs);
  }
}

/** `call` again after a failure, up to 5 times; `done(err)` says a failure means it was done before. */
async function retried<T>(call: () => Promise<T>, done: (err: unknown) => boolean = () => false): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt > 1 && done(err)) return undefined;
      if (attempt >= 5) throw err;
      await delay(100 * attempt);
    }
  }
}

/** Runs task(0..count-1), `width` at a time. */
async function pool(count: number, width: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.max(0, Math.min(width, count)) }, async () => {
    while (next < count) await task(next++);
  }));
}

function cpuSeconds(pid: number): number {
  const { user, system } = statCpu(`/proc/${pid}/stat`);
  return user + system;
}

/** A process's or thread's name and CPU-seconds so far (utime, stime) from its `/proc/…/stat`. */
function statCpu(path: string): { name: string; user: number; system: number } {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), user: Number(fields[11]) / clockTicks, system: Number(fields[12]) / clockTicks };
}

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

