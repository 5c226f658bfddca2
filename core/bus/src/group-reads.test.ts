import { JetStreamError, type CompletionResult, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { CoalescedGroupReads, GROUPS_PER_READ } from './group-reads.ts';

// What the client hands a batch read's callback (nats.js 3.4), from a stream of subject → last message.
// The real server's answers, its "too many results" included, are in kv-store.int.test.ts.
function stream(last: Record<string, number>, answer: (filters: string[]) => CompletionResult | 'cut' = () => ({})) {
  const requests: string[][] = [];
  const getLastMessagesFor = async (name: string, query: { multi_last: string[]; callback: (done: CompletionResult | null, m: StoredMsg) => void }) => {
    expect(name).toBe('KV_S');
    requests.push(query.multi_last);
    const end = answer(query.multi_last);
    const matching = Object.entries(last).filter(([subject]) => query.multi_last.some((f) => subject.startsWith(f.slice(0, -1))));
    const sent = end === 'cut' ? matching.slice(0, 1) : end.err ? [] : matching;
    sent.forEach(([subject, seq], i) => query.callback(null, { subject, seq, pending: matching.length - i - 1 } as StoredMsg));
    query.callback(end === 'cut' ? {} : end, {} as StoredMsg);
    return (async function* () {})();
  };
  return { reads: new CoalescedGroupReads({ direct: { getLastMessagesFor } } as unknown as JetStreamManager, 'KV_S'), requests };
}

const status = (code: number, message: string) => Object.assign(new JetStreamError(message), { code });
const subjects = (messages: StoredMsg[]) => messages.map((m) => m.subject);

describe('group reads asked for in one turn', () => {
  const bucket = { '$KV.S.a.x': 1, '$KV.S.a.y': 4, '$KV.S.b.x': 2, '$KV.S.ab.x': 3 };

  it('go out as one read of every group, each reader answered with its own group only', async () => {
    const { reads, requests } = stream(bucket);
    const [a, b, ab, none, again] = await Promise.all([reads.read('$KV.S.a.'), reads.read('$KV.S.b.'), reads.read('$KV.S.ab.'), reads.read('$KV.S.c.'), reads.read('$KV.S.a.')]);
    expect([subjects(a), subjects(b), subjects(ab), subjects(none)]).toEqual([['$KV.S.a.x', '$KV.S.a.y'], ['$KV.S.b.x'], ['$KV.S.ab.x'], []]);
    // Two reads of one group share its answer and its filter.
    expect(subjects(again)).toEqual(subjects(a));
    expect(requests).toEqual([['$KV.S.a.>', '$KV.S.b.>', '$KV.S.ab.>', '$KV.S.c.>']]);
  });

  it(`go out ${GROUPS_PER_READ} groups to a read`, async () => {
    const { reads, requests } = stream(bucket);
    await Promise.all(Array.from({ length: GROUPS_PER_READ * 2 + 1 }, (_, i) => reads.read(`$KV.S.g${i}.`)));
    expect(requests.map((r) => r.length)).toEqual([GROUPS_PER_READ, GROUPS_PER_READ, 1]);
  });

  it('asked for in different turns are different reads', async () => {
    const { reads, requests } = stream(bucket);
    expect(subjects(await reads.read('$KV.S.a.'))).toEqual(['$KV.S.a.x', '$KV.S.a.y']);
    expect(subjects(await reads.read('$KV.S.b.'))).toEqual(['$KV.S.b.x']);
    expect(requests).toEqual([['$KV.S.a.>'], ['$KV.S.b.>']]);
  });

  it('are read one group at a time when the server has too many messages for one answer', async () => {
    const { reads, requests } = stream(bucket, (filters) => (filters.length > 1 ? { err: status(413, 'too many results') } : {}));
    const [a, b] = await Promise.all([reads.read('$KV.S.a.'), reads.read('$KV.S.b.')]);
    expect([subjects(a), subjects(b)]).toEqual([['$KV.S.a.x', '$KV.S.a.y'], ['$KV.S.b.x']]);
    expect(requests).toEqual([['$KV.S.a.>', '$KV.S.b.>'], ['$KV.S.a.>'], ['$KV.S.b.>']]);
  });

  it('are read one group at a time when the server cut the answer short', async () => {
    const { reads, requests } = stream(bucket, (filters) => (filters.length > 1 ? 'cut' : {}));
    const [a, b] = await Promise.all([reads.read('$KV.S.a.'), reads.read('$KV.S.b.')]);
    expect([subjects(a), subjects(b)]).toEqual([['$KV.S.a.x', '$KV.S.a.y'], ['$KV.S.b.x']]);
    expect(requests).toHaveLength(3);
  });

  it('all fail with any other error, as each would have alone', async () => {
    const { reads } = stream(bucket, () => ({ err: status(503, 'no responders') }));
    const results = await Promise.allSettled([reads.read('$KV.S.a.'), reads.read('$KV.S.b.'), reads.read('$KV.S.a.')]);
    expect(results.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['no responders', 'no responders', 'no responders']);
  });

  it('"no results" answers every group with nothing', async () => {
    const { reads } = stream({}, () => ({ err: status(404, 'no results') }));
    expect(await Promise.all([reads.read('$KV.S.a.'), reads.read('$KV.S.b.')])).toEqual([[], []]);
  });
});
