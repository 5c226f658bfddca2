import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServer } from '@herald/test-harness';
import { JetStreamKvStore } from './kv-store.ts';

let nats: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNats({ monitor: true });
  nc = await connect({ servers: nats.url, name: 'kv-store-test' });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

async function storeOf(bucket: string, leaderReads: boolean): Promise<JetStreamKvStore> {
  const kv = await new Kvm(nc).create(bucket, { allow_direct: true });
  return new JetStreamKvStore(kv, await jetstreamManager(nc), bucket, { leaderReads });
}

describe.each([false, true])('a key read with leaderReads=%s', (leaderReads) => {
  it('is absent, then the value and revision written, then absent once deleted or purged', async () => {
    const store = await storeOf(`READS_${String(leaderReads).toUpperCase()}`, leaderReads);
    expect(await store.get('uid-1', 'claim')).toBeUndefined();
    const revision = await store.create('uid-1', 'claim', 'pending');
    expect(await store.get('uid-1', 'claim')).toEqual({ value: 'pending', revision });
    const updated = await store.update('uid-1', 'claim', 'sent', revision!);
    expect(await store.get('uid-1', 'claim')).toEqual({ value: 'sent', revision: updated });
    expect(await store.get('uid-2', 'claim')).toBeUndefined();
    expect(await store.delete('uid-1', 'claim', updated)).toBe(true);
    expect(await store.get('uid-1', 'claim')).toBeUndefined();
    // Released, then claimed again (the next round), once: a second create finds it taken.
    const again = await store.create('uid-1', 'claim', 'pending again');
    expect(again).toBeGreaterThan(updated!);
    expect(await store.create('uid-1', 'claim', 'other')).toBeUndefined();
    expect(await store.get('uid-1', 'claim')).toEqual({ value: 'pending again', revision: again });
  });

  it('creates a deleted key expecting its delete as a group read found it, and never over a value written since', async () => {
    const store = await storeOf(`RECREATE_${String(leaderReads).toUpperCase()}`, leaderReads);
    const first = await store.create('uid-1', 'claim', 'pending');
    expect(await store.delete('uid-1', 'claim', first)).toBe(true);
    const deletedAt = (await store.readGroup('uid-1', { current: true })).deleted.get('claim');
    expect(deletedAt).toBeGreaterThan(first!);
    const again = await store.create('uid-1', 'claim', 'pending again', deletedAt);
    expect(await store.get('uid-1', 'claim')).toEqual({ value: 'pending again', revision: again });
    // The same delete's revision once the key was written since: it exists.
    expect(await store.create('uid-1', 'claim', 'other', deletedAt)).toBeUndefined();
    // Deleted again since: the create finds the newer delete and creates.
    expect(await store.delete('uid-1', 'claim', again)).toBe(true);
    const third = await store.create('uid-1', 'claim', 'third', deletedAt);
    expect(await store.get('uid-1', 'claim')).toEqual({ value: 'third', revision: third });
  });

  it('a current read of the group answers what a read of each key answers, deletes left out', async () => {
    const store = await storeOf(`GROUP_${String(leaderReads).toUpperCase()}`, leaderReads);
    expect(await store.entries('uid-1', { current: true })).toEqual(new Map());
    const marker = await store.create('uid-1', '~object', 'marker');
    const claim = await store.create('uid-1', 'a:[0].x:webhook:', 'pending');
    const gone = await store.create('uid-1', 'b:[0].y:webhook:', 'sent');
    expect(await store.delete('uid-1', 'b:[0].y:webhook:', gone)).toBe(true);
    await store.create('uid-2', 'a:[0].x:webhook:', 'other object');
    expect(await store.entries('uid-1', { current: true })).toEqual(
      new Map([
        ['~object', { value: 'marker', revision: marker }],
        ['a:[0].x:webhook:', { value: 'pending', revision: claim }],
      ]),
    );
  });
});

describe('a group read with a floor', () => {
  it('answers the live keys of the group, directly when the floor is reached and through the leader when not', async () => {
    const store = await storeOf('GROUP_FLOOR', false);
    await store.create('uid-1', '~object', 'marker');
    const kept = await store.create('uid-1', 'r2', 'sent');
    const gone = await store.create('uid-1', 'r1', 'sent');
    expect(await store.delete('uid-1', 'r1', gone)).toBe(true);
    // Another group's change is newer than anything of uid-1: as a floor, no copy of uid-1 can reach it,
    // so this read goes through the stream's leader (here, the only server).
    const later = await store.put('uid-2', 'r1', 'sent');
    const expected = new Map([
      ['~object', { value: 'marker', revision: kept! - 1 }],
      ['r2', { value: 'sent', revision: kept }],
    ]);
    expect(await store.entries('uid-1', { atLeast: gone! + 1 })).toEqual(expected);
    expect(await store.entries('uid-1', { atLeast: later })).toEqual(expected);
    expect(await store.entries('uid-3', { atLeast: later })).toEqual(new Map());
  });
});

describe('a group read', () => {
  /** The subscriptions the server holds for this test's connection. */
  async function subscriptions(): Promise<number> {
    await nc.flush();
    const connz = (await (await fetch(`${nats.monitorUrl}/connz`)).json()) as { connections: { name?: string; subscriptions: number }[] };
    const count = connz.connections.find((c) => c.name === 'kv-store-test')?.subscriptions;
    expect(count).toBeTypeOf('number');
    return count!;
  }

  it('leaves no subscription behind on the connection, whether the group has keys or not', async () => {
    const store = await storeOf('GROUP_SUBS', false);
    await store.create('uid-1', '~object', 'marker');
    await store.create('uid-1', 'r1', 'sent');
    await store.entries('uid-1');
    const before = await subscriptions();
    for (let i = 0; i < 20; i++) {
      expect((await store.entries('uid-1')).size).toBe(2);
      expect((await store.entries(`absent-${i}`)).size).toBe(0);
    }
    // nats.js keeps an iterated batch's reply subscription until its 5-s timer fires: 40 here, had it been used.
    expect(await subscriptions()).toBe(before);
  });
  it('read in the same turn go to the server as one request per 16 groups, each answered as a read of its own would be', async () => {
    const store = await storeOf('GROUP_BATCH', false);
    const groups = Array.from({ length: 20 }, (_, i) => `uid-${i}`);
    for (const [i, group] of groups.entries()) {
      await store.create(group, '~object', `marker ${i}`);
      if (i % 2 === 0) await store.create(group, 'r1', `sent ${i}`);
      if (i % 3 === 0) await store.delete(group, '~object');
    }
    const alone = [];
    for (const group of [...groups, 'absent']) alone.push(await store.readGroup(group));
    // Every direct get the server is asked for this bucket, seen from a connection of its own.
    const watcher = await connect({ servers: nats.url });
    const requests: string[][] = [];
    const tap = watcher.subscribe('$JS.API.DIRECT.GET.KV_GROUP_BATCH', {
      callback: (_err, m) => {
        requests.push((m.json() as { multi_last: string[] }).multi_last);
      },
    });
    await watcher.flush();
    const together = await Promise.all([...groups, 'absent'].map((group) => store.readGroup(group)));
    await nc.flush();
    await watcher.flush();
    expect(together).toEqual(alone);
    expect(together[0]!.entries.get('r1')?.value).toBe('sent 0');
    expect(together[3]!.deleted.has('~object')).toBe(true);
    expect(requests.map((r) => r.length)).toEqual([16, 5]);
    tap.unsubscribe();
    await watcher.close();
  });

  it('read in the same turn are each read alone when together they hold more than the server sends in one answer', async () => {
    const store = await storeOf('GROUP_BIG', false);
    // 16 objects of 70 keys each: 1,120 messages, over the server's 1,024 per answer.
    const groups = Array.from({ length: 16 }, (_, i) => `uid-${i}`);
    for (const group of groups) await Promise.all(Array.from({ length: 70 }, (_, k) => store.put(group, `k${k}`, `${group} ${k}`)));
    const together = await Promise.all(groups.map((group) => store.entries(group)));
    expect(together.map((entries) => entries.size)).toEqual(groups.map(() => 70));
    expect(together[15]!.get('k69')?.value).toBe('uid-15 69');
  });
});
