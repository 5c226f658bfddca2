// `node test/bench/src/sink-isolation-bench.ts`: how fast a healthy destination's notifications are delivered
// alone, and with a dead destination (every send hangs until the call timeout) in the same service type, on a
// real nats-server. Prints notifications per second of the healthy destination in each case and their ratio;
// with BENCH_BASELINE=1 also the same run with per-destination isolation turned off, for comparison (slow).
// BENCH_RATE_SCOPE=cluster|process gives the destinations a rate limit too high to hold anything back, kept
// on the bus (shared by sink processes) or in the process: what a rate-limited send costs on its own.
import { fileURLToPath } from 'node:url';
import { engineConfigSchema, Kernel } from '@herald/core-kernel';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { NotificationData } from '@herald/plugin-sdk';
import { startNats, testNatsLimits } from '@herald/test-harness';

const healthyCount = Number(process.env.BENCH_HEALTHY ?? 10_000);
const deadCount = Number(process.env.BENCH_DEAD ?? 300);
const callTimeoutMs = Number(process.env.BENCH_CALL_TIMEOUT_MS ?? 2_000);
const baseline = process.env.BENCH_BASELINE === '1';
const rateScope = process.env.BENCH_RATE_SCOPE;
if (rateScope !== undefined && rateScope !== 'cluster' && rateScope !== 'process') throw new Error(`BENCH_RATE_SCOPE must be cluster or process, not ${rateScope}`);
const rateLimit = rateScope ? { perSecond: 1_000_000, burst: 1_000_000, scope: rateScope } : { perSecond: 0 };

const fixtures = fileURLToPath(new URL('../../../core/delivery/src/__fixtures__/', import.meta.url));
const configMap = fileURLToPath(new URL('../../../core/delivery/src/__fixtures__/destinations-cm.yaml', import.meta.url));
const logger = createLogger('bench', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'herald-bench', serviceVersion: '0.0.0' });
const nats = await startNats();

function notification(recipient: string, i: number): NotificationData {
  return {
    trigger: 'on-deployed',
    conditionKey: '[0].abc',
    template: 'deployed',
    destination: { serviceType: 'isolated', service: 'isolated', recipient },
    stateKey: `on-deployed:[0].abc:isolated:${recipient}:${i}`,
    idempotencyKey: `key-${recipient}-${i}`,
    claimRevision: 1,
    ref: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespace: 'bench', name: `app-${i}`, uid: `uid-${i}` },
    rendered: { message: `deployed app-${i}` },
  };
}

interface Run {
  /** Healthy notifications delivered per second, from the sink's start until the last one. */
  perSecond: number;
  seconds: number;
  /** The same over the first callTimeout, while the dead destination's first sends hang. */
  perSecondEarly: number;
  /** Notifications handed back to the bus (stepped aside, or retried) and delivered again. */
  redelivered: number;
}

/** Publishes the notifications first, then boots a kernel and times it until the healthy ones are all delivered. */
async function run(name: string, withDead: boolean, isolation: boolean): Promise<Run> {
  const prefix = name.toUpperCase();
  const sink = isolation
    ? // The defaults, but no rate limit that holds anything back: this measures isolation, not the limit.
      { rateLimit }
    : { rateLimit, concurrency: { perDestination: 100_000 }, circuitBreaker: { failures: 0 } };
  const config = engineConfigSchema.parse({
    notifications: { files: { configMap } },
    nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: name, streamPrefix: prefix },
    plugins: [{ name: './destinations-sink.ts', options: { record: false }, callTimeout: callTimeoutMs }],
    sink,
  });

  // A kernel that runs no sink creates the streams; the notifications are all stored before the sink starts.
  const setup = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry, roles: ['source'] });
  const publisher = setup.bus.publisher('herald/bench', telemetry.tracer('bench'));
  const recipients = Array.from({ length: healthyCount }, () => 'ok');
  // One dead notification after every few healthy ones, so they are in the healthy ones' way throughout.
  if (withDead) for (let i = 0; i < deadCount; i++) recipients.splice(Math.floor((i * healthyCount) / deadCount) + i, 0, 'dead');
  await Promise.all(recipients.map((r, i) => publisher.notification(notification(r, i))));
  await setup.stop();

  const kernel = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry, roles: ['sink'] });
  const startedAt = Date.now();
  // Delivered = a successful delivery result; its time is when the sink runner published it, right after the send.
  const delivered: number[] = [];
  let done!: () => void;
  const allDelivered = new Promise<void>((r) => (done = r));
  const results = await kernel.bus.subscriber(telemetry.tracer('bench'), logger).subscribe('results', { durable: 'bench-results', maxAckPending: 1_000 }, async (d) => {
    if (d.event.data.destination.recipient !== 'ok' || !d.event.data.succeeded) return;
    delivered.push(Date.parse(d.event.time));
    if (delivered.length === healthyCount) done();
  });
  await allDelivered;
  await results.stop();
  const seconds = (Math.max(...delivered) - startedAt) / 1_000;
  const early = delivered.filter((t) => t - startedAt <= callTimeoutMs).length;
  const info = await kernel.bus.jsm.consumers.info(`${prefix}_NOTIFICATIONS`, 'herald-sink-isolated');
  const result = {
    perSecond: Math.round(healthyCount / seconds),
    seconds: +seconds.toFixed(2),
    perSecondEarly: Math.round(early / (callTimeoutMs / 1_000)),
    redelivered: info.num_redelivered,
  };
  await kernel.stop();
  return result;
}

const alone = await run('alone', false, true);
const withDead = await run('withdead', true, true);
const without = baseline ? await run('noisolation', true, false) : undefined;
await nats.stop();

const line = (label: string, r: Run) =>
  `${label.padEnd(44)} ${String(r.perSecond).padStart(6)} /s over ${String(r.seconds).padStart(6)} s   ${String(r.perSecondEarly).padStart(6)} /s in the first ${callTimeoutMs} ms   redeliveries ${r.redelivered}`;
const ratio = (r: Run) => `${(r.perSecond / alone.perSecond).toFixed(2)} overall, ${(r.perSecondEarly / alone.perSecondEarly).toFixed(2)} in the first ${callTimeoutMs} ms`;
console.log(
  `healthy destination: ${healthyCount} notifications; dead destination: ${deadCount} notifications, each send hanging until callTimeout (${callTimeoutMs} ms); ${rateScope ? `a rate limit that holds nothing back, kept ${rateScope === 'cluster' ? 'on the bus (shared)' : 'in the process'}` : 'no rate limit'}`,
);
console.log(line('healthy alone', alone));
console.log(line('healthy + dead destination (isolation on)', withDead));
if (without) console.log(line('healthy + dead destination (isolation off)', without));
console.log(`ratio with dead / alone: ${ratio(withDead)}${without ? `; isolation off: ${ratio(without)}` : ''}`);
process.exit(0);
