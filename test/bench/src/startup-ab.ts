/**
 * `node --conditions=herald-source test/bench/src/startup-ab.ts`: start-up of `herald run` A/B on the same Pods.
 * One kube-apiserver with BENCH_AB_PODS Pending Pods (the seed ConfigMap's subscription, nothing to send); the
 * versions in BENCH_AB_MAINS (`label=path/to/core/cli/src/main.ts`, comma-separated: two checkouts; a built
 * `main.js` runs as built, without the source condition) start in
 * turn, BENCH_AB_ROUNDS times, each on a fresh nats-server (on the same one, the bus would drop the second start's
 * events as repeats within its duplicate window). Per start, one JSON line: synced (`/readyz` 200), settled (every
 * durable consumer without pending messages for half a second), idle (then a whole second under 2 % of a core),
 * CPU seconds (utime + stime), RSS at idle and its peak, and the CPU seconds the apiserver (with its etcd) used from
 * the start until idle (`apiserverCpuS`: what Herald's start costs the cluster), and the clean stop after it (`stopS`,
 * SIGTERM to exit). BENCH_AB_FLAGS: extra node flags
 * (e.g. `--cpu-prof`); BENCH_AB_NODE_<label>: another node binary for that label; BENCH_AB_IDLE_CPU: the CPU-seconds
 * per second under which Herald counts as idle (0.02; a profiler needs more). BENCH_AB_RESTART=1: each label starts
 * once, unmeasured, stops and starts again on the same bus: a restart, every object already known (the bus's
 * duplicate window is 1 s, so the second start's events are not dropped as repeats). BENCH_AB_TIMELINE=1: a line
 * every 250 ms of the start (see sampleTimeline). BENCH_AB_SOURCE_<label>: the Kubernetes source's options for that
 * label, JSON (`{"checkpoint":false}`: every start publishes every object). BENCH_AB_CONFIG_EDIT=1: once a measured
 * start is idle, a trigger is added to the ConfigMap (a condition no Pod meets), which asks the source for a resync;
 * `configEdit` in the line: from the edit until every Pod was published again (`resyncedS`), settled and idle, with
 * Herald's and nats-server's CPU and the events published. The trigger is taken out again before the stop.
 */
import { readdirSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { freePort, startNats } from '@herald/test-harness';
import { CONFIG_MAP, createPendingPods, findPid, heraldRunConfig, processCpuSeconds, seededNamespace } from './pending-pods.ts';

const pods = Number(process.env.BENCH_AB_PODS ?? 10_000);
const rounds = Number(process.env.BENCH_AB_ROUNDS ?? 2);
const mains = (process.env.BENCH_AB_MAINS ?? '').split(',').map((m) => m.split('=') as [string, string]);
const restart = process.env.BENCH_AB_RESTART === '1';
const configEdit = process.env.BENCH_AB_CONFIG_EDIT === '1';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** CPU-seconds a second under which Herald counts as idle (a profiler keeps it above the default). */
const idleCpu = Number(process.env.BENCH_AB_IDLE_CPU ?? 0.02);
const out = (line: string) => process.stdout.write(`${line}\n`);
const { cp, core, namespace } = await seededNamespace('ab');
const created = await createPendingPods(core, namespace, 0, pods);
out(`${created} Pods created`);
const cpuSeconds = processCpuSeconds;
/** The control plane's process (kube-apiserver with its etcd): the one whose command line names its data directory. */
const apiserverPidFound = readdirSync('/proc').map(Number).find((pid) => {
  try {
    return pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(cp.dataDir);
  } catch {
    return false;
  }
});
if (apiserverPidFound === undefined) throw new Error(`no control plane process with ${cp.dataDir}`);
const apiserverPid: number = apiserverPidFound;
const kib = (pid: number, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/** One start of `main` on the bus at `natsUrl`, measured until idle, then stopped; prints its JSON line. */
async function start(label: string, main: string, dir: string, port: number, natsUrl: string, natsPid: number, round: number, kind: 'first' | 'restart'): Promise<void> {
  const nats = { url: natsUrl };
  const load = loadavg()[0]!;
  const started = performance.now();
  const apiserverBefore = cpuSeconds(apiserverPid);
  const natsBefore = cpuSeconds(natsPid);
  const child = spawn(process.env[`BENCH_AB_NODE_${label}`] ?? process.execPath, [...(main.endsWith('.ts') ? ['--conditions=herald-source'] : []), ...(process.env.BENCH_AB_FLAGS ?? '').split(' ').filter(Boolean), main, 'run', '-c', join(dir, 'herald.yaml'), '-o', 'json'], { env: { ...process.env, KUBECONFIG: cp.adminKubeconfigPath, POD_NAMESPACE: namespace }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const timeline = process.env.BENCH_AB_TIMELINE === '1' ? sampleTimeline(natsUrl, child.pid!, natsPid, started) : undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`herald exited: ${err}`);
    if ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok) break;
    await delay(20);
  }
  const syncedMs = performance.now() - started;
  const cpuAtSynced = [cpuSeconds(child.pid!), cpuSeconds(natsPid) - natsBefore];
  await untilSettled(nats.url);
  const settledMs = performance.now() - started;
  await timeline?.stop();
  const cpuAtSettled = [cpuSeconds(child.pid!), cpuSeconds(natsPid) - natsBefore];
  await untilIdle(child.pid!);
  const idleMs = performance.now() - started - 1000;
  const cpu = (v: number) => +v.toFixed(2);
  const line = { label, kind, round, pods, load: Number(load.toFixed(1)), syncedS: +(syncedMs / 1000).toFixed(2), settledS: +(settledMs / 1000).toFixed(2), idleS: +(idleMs / 1000).toFixed(2), cpuS: +cpuSeconds(child.pid!).toFixed(2), natsCpuS: cpu(cpuSeconds(natsPid) - natsBefore), cpuAtSyncedS: cpuAtSynced.map(cpu), cpuAtSettledS: cpuAtSettled.map(cpu), apiserverCpuS: +(cpuSeconds(apiserverPid) - apiserverBefore).toFixed(2), rssMiB: Math.round(kib(child.pid!, 'VmRSS') / 1024), peakMiB: Math.round(kib(child.pid!, 'VmHWM') / 1024) };
  const edit = configEdit ? await editConfig(`${label}-${round}-${kind}`, natsUrl, child.pid!, natsPid) : undefined;
  // A clean stop's time too: with a checkpoint, it saves what was published.
  const stopping = performance.now();
  child.kill('SIGTERM');
  await exited;
  out(JSON.stringify({ ...line, ...(edit ? { configEdit: edit } : {}), stopS: +((performance.now() - stopping) / 1000).toFixed(2) }));
}

/** Settled: every durable consumer of the AB streams without pending messages for half a second. */
async function untilSettled(natsUrl: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  let quiet: number | undefined;
  for (;;) {
    let busy = false;
    for (const stream of ['AB_EVENTS', 'AB_NOTIFICATIONS', 'AB_RESULTS']) for await (const c of jsm.consumers.list(stream)) if (c.config.durable_name && (c.num_pending > 0 || c.num_ack_pending > 0)) busy = true;
    if (busy) quiet = undefined;
    else quiet ??= performance.now();
    if (quiet !== undefined && performance.now() - quiet > 500) break;
    await delay(100);
  }
  await nc.close();
}

/** Idle: a whole second under BENCH_AB_IDLE_CPU. */
async function untilIdle(pid: number): Promise<void> {
  for (;;) {
    const before = cpuSeconds(pid);
    await delay(1000);
    if (cpuSeconds(pid) - before <= idleCpu) break;
  }
}

/** The events stream's last sequence: every event stored since the bus was made. */
async function storedEvents(natsUrl: string): Promise<number> {
  const nc = await connect({ servers: natsUrl });
  try {
    return (await (await jetstreamManager(nc)).streams.info('AB_EVENTS')).state.last_seq;
  } finally {
    await nc.close();
  }
}

/** BENCH_AB_CONFIG_EDIT: a trigger added, measured until every Pod was published again and Herald is idle; then taken out. */
async function editConfig(name: string, natsUrl: string, pid: number, natsPid: number) {
  const key = `trigger.on-bench-edit-${name}`;
  const [cpuBefore, natsBefore, eventsBefore] = [cpuSeconds(pid), cpuSeconds(natsPid), await storedEvents(natsUrl)];
  const edited = performance.now();
  await core.patchNamespacedConfigMap({ name: CONFIG_MAP, namespace, body: { data: { [key]: "- when: pod.status.phase == 'Never'\n  send: [pod-ready]\n" } } }, mergePatch);
  while ((await storedEvents(natsUrl)) - eventsBefore < pods) await delay(100);
  const resyncedMs = performance.now() - edited;
  await untilSettled(natsUrl);
  await untilIdle(pid);
  const idleMs = performance.now() - edited - 1000;
  const edit = { resyncedS: +(resyncedMs / 1000).toFixed(2), idleS: +(idleMs / 1000).toFixed(2), cpuS: +(cpuSeconds(pid) - cpuBefore).toFixed(2), natsCpuS: +(cpuSeconds(natsPid) - natsBefore).toFixed(2), published: (await storedEvents(natsUrl)) - eventsBefore };
  await core.patchNamespacedConfigMap({ name: CONFIG_MAP, namespace, body: { data: { [key]: null } } }, mergePatch);
  await delay(1000);
  return edit;
}

/**
 * BENCH_AB_TIMELINE=1: every 250 ms from the spawn, one line with the events stream's messages, how many of them the
 * evaluator's consumers have yet to finish, and Herald's and nats-server's CPU so far: when the start publishes, and
 * whether the evaluator keeps up.
 */
function sampleTimeline(natsUrl: string, pid: number, natsPid: number, started: number): { stop(): Promise<void> } {
  let running = true;
  const done = (async () => {
    const nc = await connect({ servers: natsUrl });
    const jsm = await jetstreamManager(nc);
    while (running) {
      const at = performance.now() - started;
      let published = 0;
      let backlog = 0;
      try {
        published = (await jsm.streams.info('AB_EVENTS')).state.messages;
        for await (const c of jsm.consumers.list('AB_EVENTS')) if (c.config.durable_name) backlog += c.num_pending + c.num_ack_pending;
      } catch {
        // Not made yet.
      }
      out(JSON.stringify({ t: +(at / 1000).toFixed(2), published, backlog, heraldCpuS: cpuSeconds(pid), natsCpuS: cpuSeconds(natsPid) }));
      await delay(250);
    }
    await nc.close();
  })();
  return { stop: async () => { running = false; await done; } };
}

try {
  for (let round = 1; round <= rounds; round++) {
    for (const [label, main] of mains) {
      const nats = await startNats();
      const natsPid = findPid('nats-server', String(nats.port));
      const dir = mkdtempSync(join(tmpdir(), 'herald-ab-'));
      const port = await freePort();
      const source = process.env[`BENCH_AB_SOURCE_${label}`];
      const config = heraldRunConfig({ natsUrl: nats.url, prefix: 'AB', namespace, port, ...(source ? { source: JSON.parse(source) as Record<string, unknown> } : {}) });
      // A restart: the bus must not drop the second start's events as repeats of the first's.
      if (restart) (config.nats as Record<string, unknown>).duplicateWindow = '1s';
      writeFileSync(join(dir, 'herald.yaml'), JSON.stringify(config));
      if (restart) {
        await start(label, main, dir, port, nats.url, natsPid, round, 'first');
        await delay(1500);
      }
      await start(label, main, dir, port, nats.url, natsPid, round, restart ? 'restart' : 'first');
      await nats.stop();
    }
  }
} finally {
  await cp.stop();
}
