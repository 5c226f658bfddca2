// `node test/bench/src/evaluator-scale-bench.ts`: events per second through the evaluator role, one process
// and two sharing the partitions, on a real nats-server. Each run starts `herald run --role evaluator`
// processes (the reference scenario's config from its file), waits until they share the partitions, stores
// BENCH_PODS Pods × BENCH_ROUNDS rounds of Pending → Running (two events each; every Running is one
// notification) with the partitions' consumers paused, resumes them and times until every event is acknowledged.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { engineConfigSchema, Kernel } from '@herald/core-kernel';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { ResourceEventData } from '@herald/plugin-sdk';
import { startNats, testNatsLimits } from '@herald/test-harness';

const pods = Number(process.env.BENCH_PODS ?? 3_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const replicaCounts = (process.env.BENCH_REPLICAS ?? '1,2').split(',').map(Number);

const main = fileURLToPath(new URL('../../../core/cli/src/main.ts', import.meta.url));
const seed = fileURLToPath(new URL('../../fixtures/reference-scenario.yaml', import.meta.url));
const logger = createLogger('bench', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'herald-bench', serviceVersion: '0.0.0' });
const nats = await startNats();
const dir = mkdtempSync(join(tmpdir(), 'herald-evaluator-bench-'));

function event(i: number, phase: string, rv: number): ResourceEventData {
  const name = `web-${i}`;
  return {
    action: 'MODIFIED',
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'bench', name, uid: `uid-${i}` },
    resourceVersion: String(rv),
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'bench', uid: `uid-${i}`, resourceVersion: String(rv), annotations: { 'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '' }, labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      status: { phase, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }], podIP: '10.0.0.1' },
    },
  };
}

function startEvaluator(configPath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=herald-source', main, 'run', '-c', configPath, '--role', 'evaluator', '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"event":"running"')) resolve(child);
    });
    child.stderr!.resume();
    child.on('exit', (code) => reject(new Error(`the evaluator exited (${code}) before it was running`)));
  });
}

async function run(replicas: number): Promise<{ perSecond: number; seconds: number; notifications: number }> {
  const name = `scale${replicas}`;
  const prefix = name.toUpperCase();
  const raw = {
    nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: name, streamPrefix: prefix },
    notifications: { files: { configMap: seed } },
    log: { level: 'warn' },
  };
  const config = engineConfigSchema.parse(raw);
  const configPath = join(dir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(raw));
  // A kernel without roles creates the streams and publishes.
  const kernel = await Kernel.boot({ config, baseDir: dir, logger, telemetry, roles: ['source'] });
  const jsm = kernel.bus.jsm;
  const partitions = kernel.bus.topology.options.partitions;
  const consumers = Array.from({ length: partitions }, (_, p) => `herald-evaluator-p${p}`);
  const total = pods * rounds * 2;
  // The backlog is stored first; the clock runs from the first event taken to the last one acknowledged.
  const publisher = kernel.bus.publisher('herald/bench', telemetry.tracer('bench'));
  let rv = 1;
  for (let r = 0; r < rounds; r++) {
    for (const phase of ['Pending', 'Running']) {
      const batch: Promise<unknown>[] = [];
      for (let i = 0; i < pods; i++) batch.push(publisher.resourceEvent(event(i, phase, rv++)));
      await Promise.all(batch);
    }
  }
  const spawning = Promise.all(Array.from({ length: replicas }, () => startEvaluator(configPath)));
  let started: number | undefined;
  for (;;) {
    let busy = 0;
    for (const c of consumers) {
      const info = await jsm.consumers.info(`${prefix}_EVENTS`, c).catch(() => undefined);
      busy += info ? info.num_pending + info.num_ack_pending : total;
    }
    if (busy < total) started ??= Date.now();
    if (busy === 0) break;
    await delay(20);
  }
  const seconds = (Date.now() - started!) / 1_000;
  const children = await spawning;
  const notifications = (await jsm.streams.info(`${prefix}_NOTIFICATIONS`)).state.messages;
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(undefined)))));
  await kernel.stop();
  return { perSecond: Math.round((pods * rounds * 2) / seconds), seconds: +seconds.toFixed(2), notifications };
}

console.log(`${pods} Pods × ${rounds} rounds of Pending → Running: ${pods * rounds * 2} events, ${pods * rounds} notifications expected`);
const results: { replicas: number; perSecond: number }[] = [];
for (const replicas of replicaCounts) {
  const r = await run(replicas);
  results.push({ replicas, perSecond: r.perSecond });
  console.log(`${String(replicas).padStart(2)} evaluator process(es): ${String(r.perSecond).padStart(6)} events/s (${r.seconds} s), ${r.notifications} notifications published`);
}
await nats.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
