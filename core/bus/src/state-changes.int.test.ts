import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@herald/core-telemetry';
import { startNats, type NatsServer } from '@herald/test-harness';
import { Bus } from './bus.ts';
import { defaultTopology } from './topology.ts';

const logger = createLogger('state-changes-test', { level: 'silent' });
const MiB = 1024 * 1024;
const topology = {
  ...defaultTopology,
  streams: Object.fromEntries(Object.entries(defaultTopology.streams).map(([c, l]) => [c, { ...l, maxBytes: 8 * MiB }])) as typeof defaultTopology.streams,
  state: { maxBytes: 8 * MiB, replicas: 1 },
};

/** Waits until `probe` holds, or fails saying what it waited for. */
async function until(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A server of its own: its store is wiped.
let nats: NatsServer;
let bus: Bus;
beforeAll(async () => {
  nats = await startNats();
  bus = await Bus.connect({ servers: [nats.url], name: 'state-changes-test', topology }, logger);
});
afterAll(async () => {
  await bus?.drain();
  await nats?.stop();
});

describe('break 5: after the NATS store is lost, the notified annotation is never written again', () => {
  it('a state-change consumer created for the first time hands over every object already in the bucket', async () => {
    await bus.state.put('before-1', 'k', 'v');
    await bus.state.put('before-2', 'k', 'v');
    const seen = new Set<string>();
    const sub = await bus.stateChanges('first-start', logger, async (group) => void seen.add(group));
    await until(() => seen.has('before-1') && seen.has('before-2'), 'the objects changed before the consumer existed');
    await bus.state.put('after', 'k', 'v');
    await until(() => seen.has('after'), 'a change made afterwards');
    await sub.stop();
  });

  it('creates its consumer (and the bucket) again after the store is lost, and hands over what changed meanwhile', async () => {
    const seen = new Set<string>();
    const sub = await bus.stateChanges('mirror', logger, async (group) => void seen.add(group));
    await bus.state.put('kept', 'k', 'v');
    await until(() => seen.has('kept'), 'a change before the loss');
    await nats.kill();
    rmSync(nats.storeDir, { recursive: true, force: true });
    await nats.start();
    // The bucket comes back (created again by the consumer's own loop); whatever is written next is handed over.
    await until(async () => (await bus.jsm.streams.info(`KV_${bus.topology.stateBucket}`).then(() => true, () => false)), 'the state bucket created again');
    await until(async () => (await bus.state.put('after-loss', 'k', 'v').then(() => true, () => false)), 'a write after the loss');
    await until(() => seen.has('after-loss'), 'a change after the loss');
    await sub.stop();
  });
});

describe('what a change hands over', () => {
  it('hands over each change with its key and what was written (nothing for a delete)', async () => {
    const changes: { group: string; key: string; value: string | undefined }[] = [];
    const sub = await bus.stateChanges('with-values', logger, async (group, _revision, change?: { key: string; value: string | undefined }) => {
      if (group === 'obj-v' && change) changes.push({ group, ...change });
    });
    const revision = await bus.state.put('obj-v', 'a:[0].x:webhook:', '{"status":"pending"}');
    // One at a time: a consumer that starts after both would hand over the key's last change only.
    await until(() => changes.length === 1, 'the write');
    await bus.state.delete('obj-v', 'a:[0].x:webhook:', revision);
    await until(() => changes.length === 2, 'the delete');
    expect(changes).toEqual([
      { group: 'obj-v', key: 'a:[0].x:webhook:', value: '{"status":"pending"}' },
      { group: 'obj-v', key: 'a:[0].x:webhook:', value: undefined },
    ]);
    await sub.stop();
  });
});
