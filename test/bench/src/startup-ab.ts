/**
 * `node --conditions=herald-source test/bench/src/startup-ab.ts`: start-up of `herald run` A/B on the same Pods.
 * One kube-apiserver with BENCH_AB_PODS Pending Pods (the seed ConfigMap's subscription, nothing to send); the
 * versions in BENCH_AB_MAINS (`label=path/to/core/cli/src/main.ts`, comma-separated: two checkouts; a built
 * `main.js` runs as built, without the source condition) start in
 * turn, BENCH_AB_ROUNDS times, each on a fresh nats-server (on the same one, the bus would drop the second start's
 * events as repeats within its duplicate window). Per start, one JSON line: synced (`/readyz` 200), settled (every
 * durable consumer without pending messages for half a second), idle (then a whole second under 2 % of a core),
 * CPU seconds (utime + stime), RSS at idle and its peak, and the CPU seconds the apiserver (with its etcd) used from
 * the start until idle (`apiserverCpuS`: what Herald's start costs the cluster). BENCH_AB_FLAGS: extra node flags
 * (e.g. `--cpu-prof`).
 */
import { readdirSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort, startNats } from '@herald/test-harness';
import { createPendingPods, heraldRunConfig, processCpuSeconds, seededNamespace } from './pending-pods.ts';

const pods = Number(process.env.BENCH_AB_PODS ?? 10_000);
const rounds = Number(process.env.BENCH_AB_ROUNDS ?? 2);
const mains = (process.env.BENCH_AB_MAINS ?? '').split(',').map((m) => m.split('=') as [string, string]);
const out = (line: string) => process.stdout.write(`${line}\n`);
const { cp, core, namespace } = await seededNamespace('ab');
const created = await createPendingPods(core, namespace, 0, pods);
out(`${created} Pods created`);
const cpuSeconds = processCpuSeconds;
/** The control plane's process (kube-apiserver with its etcd): the one whose command line names its data directory. */
const apiserverPid = readdirSync('/proc').map(Number).find((pid) => {
  try {
    return pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(cp.dataDir);
  } catch {
    return false;
  }
});
if (apiserverPid === undefined) throw new Error(`no control plane process with ${cp.dataDir}`);
const kib = (pid: number, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
try {
  for (let round = 1; round <= rounds; round++) {
    for (const [label, main] of mains) {
      const nats = await startNats();
      const dir = mkdtempSync(join(tmpdir(), 'herald-ab-'));
      const port = await freePort();
      const config = heraldRunConfig({ natsUrl: nats.url, prefix: 'AB', namespace, port });
      writeFileSync(join(dir, 'herald.yaml'), JSON.stringify(config));
      const load = loadavg()[0]!;
      const started = performance.now();
      const apiserverBefore = cpuSeconds(apiserverPid);
      const child = spawn(process.execPath, [...(main.endsWith('.ts') ? ['--conditions=herald-source'] : []), ...(process.env.BENCH_AB_FLAGS ?? '').split(' ').filter(Boolean), main, 'run', '-c', join(dir, 'herald.yaml'), '-o', 'json'], { env: { ...process.env, KUBECONFIG: cp.adminKubeconfigPath, POD_NAMESPACE: namespace }, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
      const exited = new Promise<void>((r) => child.on('exit', () => r()));
      for (;;) {
        if (child.exitCode !== null) throw new Error(`herald exited: ${err}`);
        if ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok) break;
        await delay(20);
      }
      const syncedMs = performance.now() - started;
      // Settled: every durable consumer without pending messages for half a second, then a second under 2 % CPU.
      const nc = await connect({ servers: nats.url });
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
      const settledMs = performance.now() - started;
      await nc.close();
      for (;;) {
        const before = cpuSeconds(child.pid!);
        await delay(1000);
        if (cpuSeconds(child.pid!) - before <= 0.02) break;
      }
      const idleMs = performance.now() - started - 1000;
      const line = { label, round, pods, load: Number(load.toFixed(1)), syncedS: +(syncedMs / 1000).toFixed(2), settledS: +(settledMs / 1000).toFixed(2), idleS: +(idleMs / 1000).toFixed(2), cpuS: +cpuSeconds(child.pid!).toFixed(2), apiserverCpuS: +(cpuSeconds(apiserverPid) - apiserverBefore).toFixed(2), rssMiB: Math.round(kib(child.pid!, 'VmRSS') / 1024), peakMiB: Math.round(kib(child.pid!, 'VmHWM') / 1024) };
      out(JSON.stringify(line));
      child.kill('SIGTERM');
      await exited;
      await nats.stop();
    }
  }
} finally {
  await cp.stop();
}
