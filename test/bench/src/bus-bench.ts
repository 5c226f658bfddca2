// `scripts/dev bench`: throughput and latency of the bus on a real nats-server (file storage), and the
// memory it takes. Prints a table and writes the numbers as JSON (BENCH_OUT, default bench-results.json).
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Bus } from '@herald/core-bus';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { ResourceEventData } from '@herald/plugin-sdk';
import { startNats } from '@herald/test-harness';

const publishCount = Number(process.env.BENCH_PUBLISH_COUNT ?? 20_000);
const latencyCount = Number(process.env.BENCH_LATENCY_COUNT ?? 2_000);
const logger = createLogger('bench', { level: 'silent' });
const tracer = startTelemetry({ serviceName: 'herald-bench', serviceVersion: '0.0.0' }).tracer('bench');

function event(i: number, object: Record<string, unknown>): ResourceEventData {
  return { action: 'MODIFIED', ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'bench', name: `pod-${i % 500}`, uid: `uid-${i % 500}` }, resourceVersion: String(i), object };
}

// A Pod of realistic size (about 3 KiB of JSON), as a source publishes it.
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'bench', labels: { app: 'web', tier: 'frontend' }, annotations: { 'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '' } },
  spec: { containers: Array.from({ length: 3 }, (_, i) => ({ name: `c${i}`, image: `registry.example/app:${i}`, env: Array.from({ length: 10 }, (_, j) => ({ name: `VAR_${j}`, value: 'x'.repeat(40) })) })) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const nats = await startNats();
const bus = await Bus.connect({ servers: [nats.url], name: 'bench' }, logger);
const publisher = bus.publisher('herald/bench', tracer);
const rssBefore = process.memoryUsage().rss;

// 1. Publish throughput: many publishes in flight (bounded by maxInflight), each awaiting the stream's ack.
let started = performance.now();
await Promise.all(Array.from({ length: publishCount }, (_, i) => publisher.resourceEvent(event(i, pod))));
const publishSeconds = (performance.now() - started) / 1000;

// 2. Consume throughput: a durable consumer draining what was published (decode, validate, ack).
let consumed = 0;
let done!: () => void;
const allConsumed = new Promise<void>((r) => (done = r));
started = performance.now();
const drain = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'bench-drain', maxAckPending: 1_000 }, async () => {
  if (++consumed === publishCount) done();
});
await allConsumed;
const consumeSeconds = (performance.now() - started) / 1000;
await drain.stop();

// 3. End-to-end latency, one message at a time: publish → stored → delivered to a subscriber's handler.
const latencies: number[] = [];
let waiting: ((t: number) => void) | undefined;
const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: 'bench-latency', filter: String(bus.topology.partitionOf('uid-latency')) }, async () => waiting?.(performance.now()));
for (let i = 0; i < latencyCount; i++) {
  const received = new Promise<number>((r) => (waiting = r));
  const t0 = performance.now();
  await publisher.resourceEvent({ ...event(i, pod), ref: { ...event(i, pod).ref, uid: 'uid-latency' }, resourceVersion: `lat-${i}` });
  latencies.push((await received) - t0);
}
await sub.stop();
latencies.sort((a, b) => a - b);
const rssAfter = process.memoryUsage().rss;

await bus.drain();
await nats.stop();

const results = {
  messageBytes: JSON.stringify(event(0, pod)).length,
  publish: { messages: publishCount, perSecond: Math.round(publishCount / publishSeconds) },
  consume: { messages: publishCount, perSecond: Math.round(publishCount / consumeSeconds) },
  latencyMs: { samples: latencyCount, p50: +percentile(latencies, 50).toFixed(2), p99: +percentile(latencies, 99).toFixed(2), max: +latencies.at(-1)!.toFixed(2) },
  rssMiB: { before: Math.round(rssBefore / 2 ** 20), after: Math.round(rssAfter / 2 ** 20) },
  node: process.version,
};
const out = process.env.BENCH_OUT ?? 'bench-results.json';
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`bus on nats-server (file store), ${results.messageBytes}-byte events
  publish   ${results.publish.perSecond} msg/s  (${publishCount} publishes, acked by the stream)
  consume   ${results.consume.perSecond} msg/s  (durable consumer: decode, validate, ack)
  latency   p50 ${results.latencyMs.p50} ms, p99 ${results.latencyMs.p99} ms, max ${results.latencyMs.max} ms  (publish → handler, ${latencyCount} one at a time)
  memory    RSS ${results.rssMiB.before} MiB → ${results.rssMiB.after} MiB
written to ${out}`);
