import { JetStreamError, type CompletionResult, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { directRead } from './direct-get.ts';

// What the client hands a callback (nats.js 3.4): each message, then the end with the status error, if any.
// The real server's answers, 404 included, are in kv-store.int.test.ts.
function answering(messages: string[], end: CompletionResult) {
  const calls: { stream: string; query: Record<string, unknown> }[] = [];
  const get = async (stream: string, query: { callback: (done: CompletionResult | null, m: StoredMsg) => void }) => {
    const { callback, ...rest } = query;
    calls.push({ stream, query: rest });
    for (const subject of messages) callback(null, { subject } as StoredMsg);
    callback(end, {} as StoredMsg);
    return (async function* () {})();
  };
  return { jsm: { direct: { getLastMessagesFor: get, getBatch: get } } as unknown as JetStreamManager, calls };
}

const status = (code: number, message: string) => Object.assign(new JetStreamError(message), { code });

describe('a batch direct get', () => {
  it('answers the batch in the order the server sent it, by the last-per-subject or the batch request', async () => {
    const last = answering(['$KV.S.a.x', '$KV.S.a.y'], {});
    expect((await directRead(last.jsm, 'KV_S', { multi_last: ['$KV.S.a.>'] })).map((m) => m.subject)).toEqual(['$KV.S.a.x', '$KV.S.a.y']);
    expect(last.calls).toEqual([{ stream: 'KV_S', query: { multi_last: ['$KV.S.a.>'] } }]);
    const batch = answering(['events.1'], {});
    expect((await directRead(batch.jsm, 'EVENTS', { seq: 7, batch: 256 })).map((m) => m.subject)).toEqual(['events.1']);
    expect(batch.calls).toEqual([{ stream: 'EVENTS', query: { seq: 7, batch: 256 } }]);
  });

  it('reads "no results" as nothing', async () => {
    expect(await directRead(answering([], { err: status(404, 'no results') }).jsm, 'KV_S', { multi_last: ['$KV.S.a.>'] })).toEqual([]);
  });

  it('fails when no server answers for the stream, unless the reader takes a missing stream as empty', async () => {
    const noStream = () => answering([], { err: status(503, 'no responders') }).jsm;
    await expect(directRead(noStream(), 'KV_S', { multi_last: ['$KV.S.a.>'] })).rejects.toThrow('no responders');
    expect(await directRead(noStream(), 'KV_S', { multi_last: ['$KV.S.a.>'] }, { noStream: 'empty' })).toEqual([]);
  });

  it('fails with any other error, whatever the reader takes a missing stream for', async () => {
    const timedOut = answering(['$KV.S.a.x'], { err: new Error('TIMEOUT') }).jsm;
    await expect(directRead(timedOut, 'KV_S', { multi_last: ['$KV.S.a.>'] }, { noStream: 'empty' })).rejects.toThrow('TIMEOUT');
  });
});
