import type { BatchCallback, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { describe, expect, it } from 'vitest';
import { encodeKvKey, JetStreamKvStore } from './kv-store.ts';

// A bucket on a cluster where the replica answering direct gets is behind the leader: a state one
// nats-server cannot be in (its only copy is always current), so both copies are modelled here, at the
// client's API. The real reads through the leader are in kv-store.int.test.ts.
const bucket = 'STATE';
const stream = `KV_${bucket}`;
const subject = (group: string, key: string) => `$KV.${bucket}.${encodeKvKey(group, key)}`;

interface Copy {
  /** subject → its last message */
  last: Map<string, { seq: number; value: string; operation?: 'DEL' }>;
}

function msg(subj: string, m: { seq: number; value: string; operation?: 'DEL' }): StoredMsg {
  return {
    subject: subj,
    seq: m.seq,
    header: { get: (name: string) => (name === 'KV-Operation' ? (m.operation ?? '') : '') },
    string: () => m.value,
  } as unknown as StoredMsg;
}

function twoCopies(follower: Copy, leader: Copy, kv: Partial<KV> = {}) {
  const reads = { direct: 0, leader: 0 };
  const jsm = {
    direct: {
      // What the client does with a callback: each message, then the end of the batch.
      async getLastMessagesFor(name: string, query: { multi_last: string[]; callback: BatchCallback<StoredMsg> }) {
        expect(name).toBe(stream);
        reads.direct++;
        const prefix = query.multi_last[0]!.slice(0, -1);
        for (const [s, m] of follower.last) if (s.startsWith(prefix)) query.callback(null, msg(s, m));
        query.callback({}, {} as StoredMsg);
        return (async function* () {})();
      },
    },
    streams: {
      async info(name: string, options: { subjects_filter: string }) {
        expect(name).toBe(stream);
        reads.leader++;
        const prefix = options.subjects_filter.slice(0, -1);
        return { state: { subjects: Object.fromEntries([...leader.last.keys()].filter((s) => s.startsWith(prefix)).map((s) => [s, 1])) } };
      },
      async getMessage(name: string, query: { last_by_subj: string }) {
        expect(name).toBe(stream);
        const m = leader.last.get(query.last_by_subj);
        return m ? msg(query.last_by_subj, m) : null;
      },
    },
  } as unknown as JetStreamManager;
  return { store: new JetStreamKvStore(kv as KV, jsm, bucket, { leaderReads: true }), reads };
}

describe('a group read on a bucket whose answering replica is behind', () => {
  // Leader: the claim was settled `sent` at 12 and the previous round's claim deleted at 13. The follower
  // still has the claim pending (10) and the old round's claim (11).
  const follower: Copy = {
    last: new Map([
      [subject('uid-1', '~object'), { seq: 9, value: 'marker' }],
      [subject('uid-1', 'r2'), { seq: 10, value: 'pending' }],
      [subject('uid-1', 'r1'), { seq: 11, value: 'sent' }],
    ]),
  };
  const leader: Copy = {
    last: new Map([
      [subject('uid-1', '~object'), { seq: 9, value: 'marker' }],
      [subject('uid-1', 'r2'), { seq: 12, value: 'sent' }],
      [subject('uid-1', 'r1'), { seq: 13, value: '', operation: 'DEL' }],
      [subject('uid-2', 'r1'), { seq: 14, value: 'sent' }],
    ]),
  };

  it('without a floor, answers what the replica has (group reads stay direct)', async () => {
    const { store, reads } = twoCopies(follower, leader);
    expect(await store.entries('uid-1')).toEqual(
      new Map([
        ['~object', { value: 'marker', revision: 9 }],
        ['r2', { value: 'pending', revision: 10 }],
        ['r1', { value: 'sent', revision: 11 }],
      ]),
    );
    expect(reads).toEqual({ direct: 1, leader: 0 });
  });

  it.each([12, 13])('with a floor (%i) the replica has not reached, answers from the leader: the settle is there, the deleted key is not', async (atLeast) => {
    const { store, reads } = twoCopies(follower, leader);
    expect(await store.entries('uid-1', { atLeast })).toEqual(
      new Map([
        ['~object', { value: 'marker', revision: 9 }],
        ['r2', { value: 'sent', revision: 12 }],
      ]),
    );
    expect(reads).toEqual({ direct: 1, leader: 1 });
  });

  it('with a floor the replica has reached (a delete counts), answers from the replica alone', async () => {
    const { store, reads } = twoCopies(leader, leader);
    expect(await store.entries('uid-1', { atLeast: 13 })).toEqual(
      new Map([
        ['~object', { value: 'marker', revision: 9 }],
        ['r2', { value: 'sent', revision: 12 }],
      ]),
    );
    expect(reads).toEqual({ direct: 1, leader: 0 });
  });
});

describe('a key created again after its delete, on a bucket whose answering replica is behind', () => {
  it('is created on the delete marker the leader has, where the replica still shows the old value', async () => {
    const key = encodeKvKey('uid-1', 'r1');
    const follower: Copy = { last: new Map([[subject('uid-1', 'r1'), { seq: 11, value: 'sent' }]]) };
    const leader: Copy = { last: new Map([[subject('uid-1', 'r1'), { seq: 13, value: '', operation: 'DEL' }]]) };
    const puts: { key: string; expected: number | undefined }[] = [];
    const kv: Partial<KV> = {
      // The server's compare-and-set: the key's last sequence must be the one expected.
      async put(k: string, _value: unknown, options?: { previousSeq?: number }) {
        puts.push({ key: k, expected: options?.previousSeq });
        if (options?.previousSeq !== 13) throw Object.assign(new Error('wrong last sequence: 13'), { code: 10071 });
        return 14;
      },
      // What the KV client's own create reads the marker with: the replica's old value.
      get: async () => {
        throw new Error('a direct get of the key: the replica behind would answer it');
      },
    };
    const { store } = twoCopies(follower, leader, kv);
    expect(await store.create('uid-1', 'r1', 'pending')).toBe(14);
    expect(puts).toEqual([
      { key, expected: 0 },
      { key, expected: 13 },
    ]);
  });
});
