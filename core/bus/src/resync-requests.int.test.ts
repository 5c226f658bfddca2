import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResyncRequest } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';
import { JetStreamKvStore } from './kv-store.ts';
import { BusResyncRequests, RESYNC_KV_KEY } from './resync-requests.ts';

let nats: NatsServer;
let nc: NatsConnection;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => quiet } as never;

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url, name: 'resync-requests-test' });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

async function requestsOn(bucket: string) {
  const kv = await new Kvm(nc).create(bucket, { allow_direct: true });
  return { kv, requests: new BusResyncRequests(new JetStreamKvStore(kv, await jetstreamManager(nc), bucket), kv, quiet) };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

describe('resync requests on a real nats-server', () => {
  it('asks for a resync when a part was added or changed, not for the first config, the same parts, or parts only removed', async () => {
    const { requests } = await requestsOn('RESYNC_RECORD');
    const at = new Date('2026-12-07T10:00:00Z');
    expect(await requests.latest()).toBeUndefined();
    expect(await requests.record({ 'trigger.a': '1' }, at)).toBeUndefined();
    expect(await requests.latest()).toMatchObject({ resync: false, reason: 'the first notification config', at: at.toISOString() });
    expect(await requests.record({ 'trigger.a': '1' }, at)).toBeUndefined();

    const made = await requests.record({ 'trigger.a': '2', 'trigger.b': '1', subscriptions: 's' }, at);
    expect(made).toEqual({ revision: expect.any(Number), resync: true, reason: 'subscriptions added, trigger.a changed, trigger.b added', at: at.toISOString() });
    expect(await requests.latest()).toEqual(made);

    // Only removed: recorded (so that adding it back asks again), no resync.
    expect(await requests.record({ 'trigger.a': '2' }, at)).toBeUndefined();
    expect(await requests.latest()).toMatchObject({ resync: false, reason: 'subscriptions removed, trigger.b removed' });
    expect((await requests.record({ 'trigger.a': '2', 'trigger.b': '1' }, at))?.reason).toBe('trigger.b added');
  });

  it('two evaluators recording the same new config at once make one request', async () => {
    const { requests } = await requestsOn('RESYNC_RACE');
    await requests.record({ 'trigger.a': '1' });
    const { requests: other } = await requestsOn('RESYNC_RACE');
    const made = await Promise.all([requests.record({ 'trigger.a': '2' }), other.record({ 'trigger.a': '2' })]);
    expect(made.filter(Boolean)).toHaveLength(1);
  });

  it('hands a watch each request after the revision given, in order, across a restart of the server', async () => {
    const { requests } = await requestsOn('RESYNC_WATCH');
    await requests.record({ 'trigger.a': '1' });
    const before = await requests.record({ 'trigger.a': '2' });
    const seen: ResyncRequest[] = [];
    const all: ResyncRequest[] = [];
    const watch = requests.watch(before!.revision, (r) => seen.push(r));
    const everything = requests.watch(undefined, (r) => all.push(r));
    try {
      const next = await requests.record({ 'trigger.a': '3' });
      await until(() => seen.length === 1);
      expect(seen).toEqual([next]);
      // The bucket keeps the last value only: a watch from the start gets the newest request.
      await until(() => all.length >= 1);
      expect(all.at(-1)).toEqual(next);

      await nats.restart();
      const afterRestart = await requests.record({ 'trigger.a': '4' }).catch(async () => {
        // The client reconnects in the background: the first write may come before it has.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return requests.record({ 'trigger.a': '4' });
      });
      await until(() => seen.length === 2);
      expect(seen[1]).toEqual(afterRestart);
    } finally {
      watch.stop();
      everything.stop();
    }
  });

  it('lives under a key other Herald plugins cannot name, as docs/reference/bus.md gives it', () => {
    expect(RESYNC_KV_KEY).toBe('OmhlcmFsZA.cmVzeW5j');
  });
});
