// `node test/bench/src/telemetry-bench.ts`: what tracing costs. Evaluator and sink throughput of `herald run`
// processes on a real nats-server, with OpenTelemetry off (OTEL_SDK_DISABLED=true), on without export (spans
// recorded, trace context on the bus), exporting to a collector that is not there (an endpoint nobody
// listens on), and exporting to a real Jaeger (BENCH_JAEGER=0 leaves that one out where Jaeger is not built).
//
// Each mode gets its own streams: BENCH_PODS Pods go Pending → Running (two events each, one notification per
// Pod); an evaluator process is timed from the first event it takes to the last acknowledged, then a sink
// process (webhook, to a local receiver answering 200 at once) from the first notification taken to the last.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { engineConfigSchema, Kernel } from '@herald/core-kernel';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { ResourceEventData } from '@herald/plugin-sdk';
import { freePort, startJaeger, startNats, testNatsLimits, type JaegerServer } from '@herald/test-harness';

const pods = Number(process.env.BENCH_PODS ?? 2_000);
/** Each mode is run this many times, the modes taking turns; the median of each is reported (the machine is shared). */
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const withJaeger = process.env.BENCH_JAEGER !== '0';

const main = fileURLToPath(new URL('../../../core/cli/src/main.ts', import.meta.url));
const logger = createLogger('bench', { level: 'silent' });
// The bench process itself neither records nor exports: only the Herald processes under test do.
const telemetry = startTelemetry({ serviceName: 'herald-bench', serviceVersion: '0.0.0', env: { OTEL_SDK_DISABLED: 'true' } });
const nats = await startNats();
const dir = mkdtempSync(join(tmpdir(), 'herald-telemetry-bench-'));
let received = 0;
const receiver = createServer((req, res) => {
  received++;
  req.resume();
  req.on('end', () => res.writeHead(200).end('ok'));
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
const jaeger: JaegerServer | undefined = withJaeger ? await startJaeger() : undefined;

const configMapPath = join(dir, 'notifications-cm.yaml');
writeFileSync(
  configMapPath,
  [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: herald-notifications-cm',
    'data:',
    '  trigger.on-pod-ready: |',
    "    - when: pod.status.phase in ['Running']",
    '      send: [pod-ready]',
    '  template.pod-ready: |',
    '    webhook:',
    '      hook:',
    '        method: POST',
    '        body: "Pod {{.pod.metadata.name}} is ready!"',
    '  service.webhook.hook: |',
    `    url: ${receiverUrl}`,
    '',
  ].join('\n'),
);

function event(i: number, phase: string, rv: number): ResourceEventData {
  const name = `web-${i}`;
  return {
    action: 'MODIFIED',
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'bench', name, uid: `uid-${i}` },
    resourceVersion: String(rv),
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'bench', uid: `uid-${i}`, resourceVersion: String(rv), annotations: { 'notifications.argoproj.io/subscribe.on-pod-ready.hook': '' }, labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      status: { phase, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }], podIP: '10.0.0.1' },
    },
    observedAt: new Date().toISOString(),
  };
}

function startHerald(configPath: string, role: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=herald-source', main, 'run', '-c', configPath, '--role', role, '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"event":"running"')) resolve(child);
    });
    child.stderr!.resume();
    child.on('exit', (code) => reject(new Error(`herald --role ${role} exited (${code}) before it was running`)));
  });
}

async function stopHerald(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Seconds from the first message the consumers hand out until none is pending or unacknowledged. */
async function drained(kernel: Kernel, stream: string, consumers: readonly string[], total: number): Promise<number> {
  let started: number | undefined;
  for (;;) {
    let busy = 0;
    for (const c of consumers) {
      const info = await kernel.bus.jsm.consumers.info(stream, c).catch(() => undefined);
      busy += info ? info.num_pending + info.num_ack_pending : total;
    }
    if (busy < total) started ??= Date.now();
    if (busy === 0) return (Date.now() - started!) / 1_000;
    await delay(20);
  }
}

interface ModeResult {
  mode: string;
  eventsPerSecond: number;
  deliveriesPerSecond: number;
}

async function run(mode: string, env: Record<string, string>, round: number): Promise<ModeResult> {
  const name = `tel${mode.replace(/[^a-z]/g, '')}${round}`;
  const prefix = name.toUpperCase();
  const raw = {
    nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: name, streamPrefix: prefix },
    notifications: { files: { configMap: configMapPath } },
    plugins: [{ name: '@herald/sink-webhook' }],
    // One destination: sends in flight to it are not what is measured here.
    sink: { concurrency: { perDestination: 256 } },
    log: { level: 'warn' },
  };
  const configPath = join(dir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(raw));
  // A kernel without roles creates the streams and publishes the backlog.
  const kernel = await Kernel.boot({ config: engineConfigSchema.parse({ ...raw, plugins: [] }), baseDir: dir, logger, telemetry, roles: ['source'] });
  const publisher = kernel.bus.publisher('herald/bench', telemetry.tracer('bench'));
  let rv = 1;
  for (const phase of ['Pending', 'Running']) {
    await Promise.all(Array.from({ length: pods }, (_, i) => publisher.resourceEvent(event(i, phase, rv++))));
  }
  const partitions = kernel.bus.topology.options.partitions;
  const evaluator = await startHerald(configPath, 'evaluator', env);
  const evalSeconds = await drained(kernel, `${prefix}_EVENTS`, Array.from({ length: partitions }, (_, p) => `herald-evaluator-p${p}`), pods * 2);
  await stopHerald(evaluator);
  const notifications = (await kernel.bus.jsm.streams.info(`${prefix}_NOTIFICATIONS`)).state.messages;
  if (notifications !== pods) throw new Error(`${mode}: ${notifications} notifications published, ${pods} expected`);

  const before = received;
  const sink = await startHerald(configPath, 'sink', env);
  const sinkSeconds = await drained(kernel, `${prefix}_NOTIFICATIONS`, ['herald-sink-webhook'], pods);
  await stopHerald(sink);
  if (received - before !== pods) throw new Error(`${mode}: ${received - before} requests received, ${pods} expected`);
  await kernel.stop();
  return { mode, eventsPerSecond: Math.round((pods * 2) / evalSeconds), deliveriesPerSecond: Math.round(pods / sinkSeconds) };
}

const unreachable = `http://127.0.0.1:${await freePort()}`;
const modes: [string, Record<string, string>][] = [
  ['off (OTEL_SDK_DISABLED=true)', { OTEL_SDK_DISABLED: 'true' }],
  ['on, no exporter', {}],
  ['on, collector unreachable', { OTEL_EXPORTER_OTLP_ENDPOINT: unreachable, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }],
  ...(jaeger ? [['on, exporting to Jaeger', { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }] as [string, Record<string, string>]] : []),
];
console.log(`${pods} Pods Pending → Running: ${pods * 2} events through one evaluator process, then ${pods} webhook deliveries through one sink process (node ${process.version})`);
const runs = new Map<string, ModeResult[]>();
for (let round = 1; round <= rounds; round++) {
  for (const [mode, env] of modes) {
    const r = await run(mode, env, round);
    runs.set(mode, [...(runs.get(mode) ?? []), r]);
    console.log(`round ${round}: ${mode.padEnd(32)} evaluator ${String(r.eventsPerSecond).padStart(6)} events/s   sink ${String(r.deliveriesPerSecond).padStart(6)} deliveries/s`);
  }
}
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
};
const results: ModeResult[] = [...runs].map(([mode, rs]) => ({ mode, eventsPerSecond: median(rs.map((r) => r.eventsPerSecond)), deliveriesPerSecond: median(rs.map((r) => r.deliveriesPerSecond)) }));
console.log(`median of ${rounds}:`);
for (const r of results) console.log(`${r.mode.padEnd(32)} evaluator ${String(r.eventsPerSecond).padStart(6)} events/s   sink ${String(r.deliveriesPerSecond).padStart(6)} deliveries/s`);
const off = results[0]!;
for (const r of results.slice(1)) {
  console.log(`${r.mode.padEnd(32)} vs off: evaluator ${((r.eventsPerSecond / off.eventsPerSecond - 1) * 100).toFixed(0)} %, sink ${((r.deliveriesPerSecond / off.deliveriesPerSecond - 1) * 100).toFixed(0)} %`);
}
await jaeger?.stop();
await nats.stop();
receiver.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
