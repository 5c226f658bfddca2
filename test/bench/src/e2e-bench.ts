/**
 * `scripts/dev bench` (or `node --conditions=herald-source test/bench/src/e2e-bench.ts`): Herald end to end on
 * real parts, the seed scenario at scale. A kube-apiserver, a nats-server, a loopback HTTP receiver and one
 * `herald run` (every role in one process, defaults but for small stream limits) reading the seed ConfigMap
 * unchanged but for the webhook URL. Figures, never assertions; written to BENCH_E2E_OUT (default
 * bench-e2e-results.json) and printed as the rows of issue 19's table.
 *
 * 1. RSS steady with 50 and 1,000 Pods watched (subscribed, Pending: nothing to send);
 * 2. burst: those 1,000 Pods → Running at once; time to the 1,000th webhook; CPU per notification (Herald and
 *    nats-server, from /proc);
 * 3. rate: fresh Pods → Running at BENCH_RATE changes/s for BENCH_RATE_SECONDS; latency patch → receipt;
 * 4. RSS steady with BENCH_BIG_PODS (10,000) Pods watched;
 * 5. start → synced (/readyz) → idle (CPU quiet) of a new `herald run` with those Pods.
 *
 * Every notification is checked delivered exactly once: each Pod's webhook body counted.
 */
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { parseAllDocuments } from 'yaml';
import { freePort, startControlPlane, startNats, testNatsLimits } from '@herald/test-harness';

const burstPods = Number(process.env.BENCH_BURST_PODS ?? 1_000);
const smallPods = 50;
const bigPods = Number(process.env.BENCH_BIG_PODS ?? 10_000);
const rate = Number(process.env.BENCH_RATE ?? 100);
const rateSeconds = Number(process.env.BENCH_RATE_SECONDS ?? 30);
const outPath = process.env.BENCH_E2E_OUT ?? 'bench-e2e-results.json';
/** Extra node flags for the Herald process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const nodeFlags = (process.env.BENCH_HERALD_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const out = (line: string) => process.stdout.write(`${line}\n`);
const repo = new URL('../../../', import.meta.url);
const cliMain = fileURLToPath(new URL('core/cli/src/main.ts', repo));
const subscribe = { 'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '' };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const clockTicks = 100; // USER_HZ on Linux

// The receiver: each body is "Pod <name> is ready!"; its arrival stamped on the clock the patches are timed with.
const arrivals = new Map<string, number>();
const counts = new Map<string, number>();
const receiver = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    const name = /^Pod (\S+) is ready!/.exec(body.trim())?.[1] ?? body.trim();
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (!arrivals.has(name)) arrivals.set(name, performance.now());
    res.writeHead(200).end('ok');
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const [cp, nats] = await Promise.all([startControlPlane(), startNats()]);
const core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
const namespace = await cp.createNamespace('bench');
const prefix = 'BENCH';
const streams = [`${prefix}_EVENTS`, `${prefix}_NOTIFICATIONS`, `${prefix}_RESULTS`];
const natsPid = findPid('nats-server', String(nats.port));
const results: Record<string, unknown> = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version } };
let herald: Herald | undefined;

try {
  await core.createNamespacedConfigMap({ namespace, body: seedConfigMap() });
  let created = 0;
  const createPods = async (upTo: number, name: (i: number) => string) => {
    await pool(upTo - created, 50, async (i) => {
      const body = { metadata: { name: name(created + i), annotations: subscribe }, spec: { containers: [{ name: 'app', image: 'app' }] } };
      await retried(() => core.createNamespacedPod({ namespace, body }), (err) => (err as { code?: number }).code === 409);
    });
    created = upTo;
  };
  // The API server may close a connection under load (HTTP/2 GOAWAY): a merge patch is safe to send again.
  const running = (name: string) => retried(() => core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase: 'Running' } } }, mergePatch));

  // 1. RSS with 50 and 1,000 Pods watched.
  await createPods(smallPods, (i) => `burst-${i}`);
  herald = await startHerald();
  await settled();
  await delay(3_000);
  const rss50 = memory(herald.pid);
  await createPods(burstPods, (i) => `burst-${i}`);
  await settled();
  await delay(3_000);
  const rss1000 = memory(herald.pid);
  out(`RSS steady, ${smallPods} / ${burstPods} Pods watched: ${mib(rss50.rss)} / ${mib(rss1000.rss)} MiB (peak ${mib(rss1000.hwm)}; nats-server ${mib(memory(natsPid).rss)})`);
  results.rss = { [smallPods]: rss50, [burstPods]: rss1000 };

  // 2. Burst: every Pod → Running at once.
  const burstNames = Array.from({ length: burstPods }, (_, i) => `burst-${i}`);
  let cpu = { herald: cpuSeconds(herald.pid), nats: cpuSeconds(natsPid) };
  const burstStart = performance.now();
  await pool(burstPods, 100, (i) => running(burstNames[i]!));
  const patched = performance.now() - burstStart;
  await waitFor(() => burstNames.every((n) => arrivals.has(n)), `${burstPods} webhooks`, 600_000);
  const lastWebhook = Math.max(...burstNames.map((n) => arrivals.get(n)!)) - burstStart;
  await settled();
  cpu = { herald: cpuSeconds(herald.pid) - cpu.herald, nats: cpuSeconds(natsPid) - cpu.nats };
  const burst = {
    pods: burstPods,
    patchedMs: patched,
    lastWebhookMs: lastWebhook,
    perSecond: burstPods / (lastWebhook / 1000),
    cpuMsPerNotification: { herald: (cpu.herald * 1000) / burstPods, nats: (cpu.nats * 1000) / burstPods },
  };
  out(`burst: ${burstPods} Pods → Running (patched in ${(patched / 1000).toFixed(1)} s): ${(lastWebhook / 1000).toFixed(1)} s to the last webhook (${burst.perSecond.toFixed(0)}/s)`);
  out(`  CPU per notification (burst, until settled): Herald ${burst.cpuMsPerNotification.herald.toFixed(2)} ms + nats-server ${burst.cpuMsPerNotification.nats.toFixed(2)} ms`);
  results.burst = burst;

  // 3. Rate: fresh Pods, one → Running every 1/rate s, for rateSeconds.
  const rateCount = rate * rateSeconds;
  const rateNames = Array.from({ length: rateCount }, (_, i) => `rate-${i}`);
  await createPods(created + rateCount, (i) => `rate-${i - burstPods}`);
  await settled();
  const sentAt = new Map<string, number>();
  const rateStart = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < rateCount; i++) {
    const due = rateStart + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await delay(wait);
    const name = rateNames[i]!;
    sentAt.set(name, performance.now());
    inFlight.push(running(name));
  }
  await Promise.all(inFlight);
  const lagAtEnd = rateNames.filter((n) => !arrivals.has(n)).length;
  await waitFor(() => rateNames.every((n) => arrivals.has(n)), `${rateCount} webhooks`, 600_000);
  const latencies = rateNames.map((n) => arrivals.get(n)! - sentAt.get(n)!).sort((a, b) => a - b);
  const rateResult = { rate, seconds: rateSeconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: latencies.at(-1)!, undeliveredWhenPatchingEnded: lagAtEnd };
  out(`rate: ${rate} changes/s for ${rateSeconds} s: latency patch → webhook p50 ${rateResult.p50Ms.toFixed(1)} ms, p99 ${rateResult.p99Ms.toFixed(1)} ms, max ${rateResult.maxMs.toFixed(0)} ms (${lagAtEnd} not yet delivered when the last patch was sent)`);
  results.rate = rateResult;
  await settled();

  // 4. RSS with bigPods watched.
  if (bigPods > created) await createPods(bigPods, (i) => `idle-${i}`);
  await settled(300_000);
  await delay(3_000);
  const rssBig = memory(herald.pid);
  out(`RSS steady, ${bigPods} Pods watched: ${mib(rssBig.rss)} MiB (peak ${mib(rssBig.hwm)}; nats-server ${mib(memory(natsPid).rss)})`);
  (results.rss as Record<number, unknown>)[bigPods] = rssBig;

  // Exactly once: one webhook per Pod that went Running, none for the others.
  const expected = new Set([...burstNames, ...rateNames]);
  const missing = [...expected].filter((n) => !counts.has(n));
  const duplicated = [...counts].filter(([, c]) => c > 1).map(([n]) => n);
  const unexpected = [...counts.keys()].filter((n) => !expected.has(n));
  results.delivery = { expected: expected.size, missing: missing.length, duplicated: duplicated.length, unexpected: unexpected.length };
  out(`delivered: ${expected.size - missing.length} of ${expected.size}, ${duplicated.length} duplicated, ${unexpected.length} unexpected`);

  // 5. A new Herald with bigPods there: start → synced → idle.
  await herald.stop();
  const startedAt = performance.now();
  herald = await startHerald();
  const runningMs = performance.now() - startedAt;
  await waitFor(async () => (await fetch(`http://127.0.0.1:${herald!.port}/readyz`).catch(() => undefined))?.ok === true, 'ready', 300_000, 20);
  const syncedMs = performance.now() - startedAt;
  // Idle: a whole second in which the process used under 2 % of a core.
  for (;;) {
    const before = cpuSeconds(herald.pid);
    await delay(1_000);
    if (cpuSeconds(herald.pid) - before <= 0.02) break;
  }
  const idleMs = performance.now() - startedAt - 1_000;
  const startCpu = cpuSeconds(herald.pid);
  results.startup = { pods: bigPods, runningMs, syncedMs, idleMs, cpuSeconds: startCpu, rss: memory(herald.pid) };
  out(`start with ${bigPods} Pods: running ${(runningMs / 1000).toFixed(1)} s → synced ${(syncedMs / 1000).toFixed(1)} s → idle ${(idleMs / 1000).toFixed(1)} s, ${startCpu.toFixed(1)} CPU-s; RSS ${mib(memory(herald.pid).rss)} MiB`);
  if (missing.length + duplicated.length + unexpected.length > 0) process.exitCode = 1;
} finally {
  if (herald) await herald.stop();
  receiver.close();
  await Promise.all([cp.stop(), nats.stop()]);
  writeFileSync(outPath, `${JSON.stringify(results, null, 2)}\n`);
}

interface Herald {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** `herald run` as a user runs it (every role), from sources, logs kept for a failure. */
async function startHerald(): Promise<Herald> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const port = await freePort();
  const config = {
    nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: prefix.toLowerCase(), streamPrefix: prefix },
    notifications: { namespace, configMap: 'herald-notifications-cm' },
    telemetry: { port, host: '127.0.0.1' },
    plugins: [{ name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace] } }, { name: '@herald/sink-webhook' }],
  };
  writeFileSync(join(dir, 'herald.yaml'), JSON.stringify(config));
  let log = '';
  const child: ChildProcess = spawn(process.execPath, ['--conditions=herald-source', ...nodeFlags, cliMain, 'run', '-c', join(dir, 'herald.yaml'), '-o', 'json'], {
    env: { ...process.env, KUBECONFIG: cp.adminKubeconfigPath, POD_NAMESPACE: namespace },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let ready = false;
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
    if (log.includes('"event":"running"')) ready = true;
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`herald exited ${child.exitCode}:\n${log}`);
    return ready;
  }, 'herald running', 120_000, 20);
  return {
    pid: child.pid!,
    port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function seedConfigMap(): V1ConfigMap {
  const docs = parseAllDocuments(readFileSync(new URL('test/fixtures/reference-scenario.yaml', repo), 'utf8')).map((d) => d.toJS() as V1ConfigMap);
  const cm = docs.find((d) => d.kind === 'ConfigMap')!;
  const data = Object.fromEntries(Object.entries(cm.data ?? {}).map(([k, v]) => [k, v.replace('http://webhook.default:8080', receiverUrl)]));
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'herald-notifications-cm', namespace }, data };
}

/** Every durable consumer of the pipeline's streams idle for half a second. */
async function settled(timeoutMs = 120_000): Promise<void> {
  const nc = await connect({ servers: nats.url });
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
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) await task(next++);
  }));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

/** The pid of the process whose command line has `binary` and `arg` (the nats-server on our port). */
function findPid(binary: string, arg: string): number {
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
