import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { Delivery, ResourceEventData } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';
import { Bus, type BusOptions } from './bus.ts';
import { STATE_EPOCH_HEADER } from './state-epoch.ts';
import { defaultTopology } from './topology.ts';

const logger = createLogger('state-epoch-test', { level: 'silent' });
const tracer = startTelemetry({ serviceName: 'state-epoch-test', serviceVersion: '0.0.0' }).tracer('state-epoch-test');
const MiB = 1024 * 1024;
const topology = {
  ...defaultTopology,
  streams: Object.fromEntries(Object.entries(defaultTopology.streams).map(([c, l]) => [c, { ...l, maxBytes: 16 * MiB }])) as typeof defaultTopology.streams,
  state: { maxBytes: 16 * MiB, replicas: 1 },
};

let nats: NatsServer;
const opened: Bus[] = [];
const options = (): BusOptions => ({ servers: [nats.url], name: 'state-epoch-test', topology, subscriber: { ackWaitMs: 5_000, backoffBaseMs: 50, backoffMaxMs: 200 } });
async function connect(): Promise<Bus> {
  const bus = await Bus.connect(options(), logger);
  opened.push(bus);
  return bus;
}

function event(name: string, resourceVersion: string): ResourceEventData {
  return { action: 'MODIFIED', ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` }, resourceVersion, object: { metadata: { name } } };
}

/** The headers of the events of `name` on the bus, in order, once `count` arrived. */
async function headersOf(bus: Bus, name: string, count: number): Promise<Readonly<Record<string, string>>[]> {
  const seen: Delivery<ResourceEventData>[] = [];
  const filter = String(bus.topology.partitionOf(`uid-${name}`));
  const sub = await bus.subscriber(tracer, logger).subscribe('events', { durable: `epoch-${name}`, filter }, async (d) => {
    if (d.event.data.ref.name === name) seen.push(d);
  });
  const deadline = Date.now() + 10_000;
  while (seen.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await sub.stop();
  expect(seen).toHaveLength(count);
  return seen.map((d) => d.headers);
}

/** `read` once it answers: a process that was connected before the server went away reconnects first. */
async function once<T>(read: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await read();
    } catch (err) {
      if (tries >= 10) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  for (const b of opened) await b.drain().catch(() => undefined);
  await nats?.stop();
});

describe('the state bucket\'s epoch (what an event read live since a process connected carries)', () => {
  it('is the same for every process on the bucket, and what a source\'s events read since start carry; other events carry none', async () => {
    const one = await connect();
    const two = await connect();
    const epoch = await one.stateEpoch();
    expect(epoch).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await two.stateEpoch()).toBe(epoch);
    const publisher = one.publisher('herald/source/kubernetes', tracer);
    await publisher.resourceEvent(event('live', '1'), { readSinceStart: true });
    await publisher.resourceEvent(event('live', '2'));
    const [live, unsure] = await headersOf(two, 'live', 2);
    expect(live![STATE_EPOCH_HEADER]).toBe(epoch);
    expect(unsure![STATE_EPOCH_HEADER]).toBeUndefined();
  });

  it('outlasts a crash of the server: the bucket on its store is the same bucket', async () => {
    const before = await (await connect()).stateEpoch();
    await nats.kill();
    await nats.start();
    const after = await connect();
    expect(await after.stateEpoch()).toBe(before);
  });

  it('is another once the store was lost and the bucket made again; a process connected before still tags with the old one', async () => {
    const old = await connect();
    const before = await old.stateEpoch();
    const publisher = old.publisher('herald/source/kubernetes', tracer);
    await nats.kill();
    rmSync(nats.storeDir, { recursive: true, force: true });
    await nats.start();
    // A process starting on the empty store makes the bucket again.
    const fresh = await connect();
    const now = await fresh.stateEpoch();
    expect(now).toBeDefined();
    expect(now).not.toBe(before);
    // The old process reads the bucket as it is now, and its source's events still say what it read at connect:
    // an evaluator finds them different and reads the object again.
    expect(await once(() => old.stateEpoch())).toBe(now);
    await once(() => publisher.resourceEvent(event('old', '1'), { readSinceStart: true }));
    const [tagged] = await headersOf(fresh, 'old', 1);
    expect(tagged![STATE_EPOCH_HEADER]).toBe(before);
  });
});
