/**
 * `node --conditions=herald-source test/bench/src/resync-cost.ts`: what a resync costs (the Kubernetes source's
 * `resyncPeriod`, Argo's informer resync). One kube-apiserver with RESYNC_PODS (default 8000) Pending Pods
 * subscribed to the seed trigger (nothing to send). In turn, RESYNC_ROUNDS times (default 2): `herald run` (the
 * bundle, the image's node flags and malloc thresholds) without a resync, the same with `resyncPeriod`
 * RESYNC_PERIOD_S (default 20), and the Go engine (test/argo-engine, HERALD_ARGO_ENGINE) with `--resync` of the
 * same period. Each starts on a fresh nats-server, is left until quiet, and is then measured over RESYNC_PERIODS
 * periods (default 3): CPU-seconds of the engine (Herald's with its nats-server's) and of the API server, Herald's
 * resyncs in that time (from its metrics), and the engine's RSS at the end and its highest (sampled every 250 ms).
 * One JSON line per run; RESYNC_OUT writes them all. RESYNC_ENGINES: which of `herald,herald-resync,go-resync` run
 * (default all); RESYNC_NODE_FLAGS: extra node flags for Herald, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (the
 * profile covers the start and the resyncs, and is written when the run stops Herald).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, startNats } from '@herald/test-harness';
import { imageEnv } from './image-env.ts';
import { buildBundle, createPendingPods, findPid, goEngineCommand, heraldRunConfig, processCpuSeconds, seededNamespace, untilQuiet } from './pending-pods.ts';

const pods = Number(process.env.RESYNC_PODS ?? 8_000);
const rounds = Number(process.env.RESYNC_ROUNDS ?? 2);
const periodS = Number(process.env.RESYNC_PERIOD_S ?? 20);
const periods = Number(process.env.RESYNC_PERIODS ?? 3);
const engines = (process.env.RESYNC_ENGINES ?? 'herald,herald-resync,go-resync').split(',');
const nodeFlags = (process.env.RESYNC_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const out = (line: string) => process.stdout.write(`${line}\n`);
const main = buildBundle();
const { cp, core, namespace } = await seededNamespace('resync');
out(`${await createPendingPods(core, namespace, 0, pods)} Pods created`);
const apiserver = findPid('controlplane', `--embedded-etcd-dir=${join(cp.dataDir, 'etcd')}`);
const rssKiB = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

interface Started {
  /** The engine's processes whose CPU counts: Herald and its nats-server, or the Go engine. */
  pids: number[];
  /** Herald: resyncs so far, from its metrics (`herald_source_kubernetes_resyncs_total`). */
  resyncs?(): Promise<number>;
  stop(): Promise<void>;
}

async function startHerald(resync: boolean): Promise<Started> {
  const nats = await startNats();
  const dir = mkdtempSync(join(tmpdir(), 'herald-resync-'));
  const port = await freePort();
  const config = heraldRunConfig({ natsUrl: nats.url, prefix: 'RESYNC', namespace, port, ...(resync ? { source: { resyncPeriod: `${periodS}s` } } : {}) });
  writeFileSync(join(dir, 'herald.yaml'), JSON.stringify(config));
  const child = spawn(process.execPath, [...nodeFlags, main, 'run', '-c', join(dir, 'herald.yaml'), '-o', 'json'], {
    env: { ...process.env, ...imageEnv(['NODE_OPTIONS', 'GLIBC_TUNABLES']), KUBECONFIG: cp.adminKubeconfigPath, POD_NAMESPACE: namespace },
    stdio: 'ignore',
  });
  const exited = new Promise((r) => child.on('exit', r));
  while (!(await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok) await delay(50);
  return {
    pids: [child.pid!, findPid('nats-server', String(nats.port))],
    async resyncs() {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return [...text.matchAll(/^herald_source_kubernetes_resyncs_total(?:\{[^}]*\})? (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await nats.stop();
    },
  };
}

async function startGoEngine(): Promise<Started> {
  const [binary, args] = goEngineCommand(cp.adminKubeconfigPath, namespace, [500, 1000], ['--resync', `${periodS}s`]);
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', () => undefined);
  const exited = new Promise((r) => child.on('exit', r));
  while (!log.includes('{"event":"synced"}')) {
    if (child.exitCode !== null) throw new Error(`argo-engine exited ${child.exitCode}`);
    await delay(50);
  }
  return {
    pids: [child.pid!],
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const cpuOf = (pids: readonly number[]) => pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
const results: Record<string, unknown>[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    for (const [engine, start] of [['herald', () => startHerald(false)], ['herald-resync', () => startHerald(true)], ['go-resync', startGoEngine]] as const) {
      if (!engines.includes(engine)) continue;
      const started = await start();
      await untilQuiet(started.pids);
      const resyncsBefore = await started.resyncs?.();
      const cpuBefore = cpuOf(started.pids);
      const apiBefore = processCpuSeconds(apiserver);
      let highest = 0;
      const until = Date.now() + periods * periodS * 1000;
      while (Date.now() < until) {
        highest = Math.max(highest, rssKiB(started.pids[0]!));
        await delay(250);
      }
      const result = {
        round,
        engine,
        pods,
        periodS,
        periods,
        cpuSeconds: Number((cpuOf(started.pids) - cpuBefore).toFixed(2)),
        // The Go engine resyncs every period too, but does not count them.
        ...(started.resyncs ? { resyncs: (await started.resyncs()) - resyncsBefore! } : {}),
        apiserverCpuSeconds: Number((processCpuSeconds(apiserver) - apiBefore).toFixed(2)),
        rssMiB: Number((rssKiB(started.pids[0]!) / 1024).toFixed(1)),
        highestRssMiB: Number((highest / 1024).toFixed(1)),
      };
      results.push(result);
      out(JSON.stringify(result));
      await started.stop();
    }
  }
} finally {
  await cp.stop();
}
if (process.env.RESYNC_OUT) writeFileSync(process.env.RESYNC_OUT, `${JSON.stringify(results, null, 2)}\n`);
