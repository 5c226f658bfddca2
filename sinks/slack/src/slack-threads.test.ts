import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PluginStore } from '@herald/plugin-sdk';
import { startFakeSlack, type FakeSlack } from '@herald/test-harness';
import { memoryStore, notification, rejection, startSink, type TestSink } from './__fixtures__/slack-harness.ts';
import { ThreadStore } from './thread-store.ts';

let api: FakeSlack;
let service: { token: string; apiURL: string };
let store: PluginStore;
let sink: TestSink;

beforeAll(async () => {
  api = await startFakeSlack();
  service = { token: api.token, apiURL: api.apiUrl };
});
afterAll(() => api.close());
beforeEach(async () => {
  await sink?.handle.stop();
  store = memoryStore();
  sink = await startSink({ store });
  api.reset();
});

const grouped = (message: string, slack: Record<string, unknown>, channel = 'deploys') => notification(channel, { message, slack: { groupingKey: 'app-guestbook', ...slack } });

describe('groupingKey threads, as Argo threads them', () => {
  it('Post: the first message of a grouping key is the parent, later ones reply in its thread, broadcast when asked', async () => {
    await sink.send(grouped('sync started', {}), service);
    await sink.send(grouped('sync running', {}), service);
    await sink.send(grouped('sync succeeded', { notifyBroadcast: true }), service);

    const [parent, ...replies] = api.messages('deploys');
    expect(parent).not.toHaveProperty('thread_ts');
    expect(replies.map((m) => [m.text, m.thread_ts])).toEqual([
      ['sync running', parent!.ts],
      ['sync succeeded', parent!.ts],
    ]);
    expect(api.requests.map((r) => r.params.reply_broadcast)).toEqual([undefined, undefined, true]);
    expect(api.requests.every((r) => r.method === 'chat.postMessage')).toBe(true);
  });

  it('PostAndUpdate: a later message replies in the thread and edits the parent to it', async () => {
    await sink.send(grouped('sync started', { deliveryPolicy: 'PostAndUpdate' }), service);
    await sink.send(grouped('sync succeeded', { deliveryPolicy: 'PostAndUpdate', blocks: '[{"type":"section","text":{"type":"plain_text","text":"done"}}]' }), service);

    const [parent, reply] = api.messages('deploys');
    expect(reply).toMatchObject({ text: 'sync succeeded', thread_ts: parent!.ts });
    expect(parent).toMatchObject({ text: 'sync succeeded', edits: 1, blocks: [{ type: 'section', text: { type: 'plain_text', text: 'done' } }] });
    const update = api.requests.find((r) => r.method === 'chat.update')!;
    expect(update.params).toMatchObject({ channel: api.channelId('deploys'), ts: parent!.ts, text: 'sync succeeded', as_user: true });
  });

  it('Update: the first message is posted, later ones only edit it', async () => {
    await sink.send(grouped('sync started', { deliveryPolicy: 'Update' }), service);
    await sink.send(grouped('sync succeeded', { deliveryPolicy: 'Update' }), service);

    expect(api.messages('deploys')).toEqual([expect.objectContaining({ text: 'sync succeeded', edits: 1 })]);
    expect(api.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'chat.update']);
  });

  it('keeps one thread per channel and per grouping key, and none without a grouping key', async () => {
    await sink.send(grouped('a', {}, 'deploys'), service);
    await sink.send(grouped('b', {}, 'alerts'), service);
    await sink.send(notification('deploys', { message: 'c', slack: { groupingKey: 'app-other' } }), service);
    await sink.send(notification('deploys', { message: 'd' }), service);
    await sink.send(notification('deploys', { message: 'e' }), service);
    expect([...api.messages('deploys'), ...api.messages('alerts')].every((m) => m.thread_ts === undefined)).toBe(true);
  });

  it('a sink started on the same store (a restart, another replica) replies in the thread the first one started', async () => {
    await sink.send(grouped('sync started', {}), service);
    await sink.handle.stop();
    sink = await startSink({ store });
    await sink.send(grouped('sync succeeded', {}), service);
    const [parent, reply] = api.messages('deploys');
    expect(reply!.thread_ts).toBe(parent!.ts);
  });
});

describe('one parent per thread', () => {
  it('while another sender holds the thread\'s claim, a send is retryable after a short pause and posts nothing', async () => {
    await store.create(ThreadStore.key('slack', 'deploys', 'app-guestbook'), JSON.stringify({ claimed: Date.now() }));
    const err = await rejection(sink.send(grouped('sync started', {}), service));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 1_000 });
    expect(api.requests).toHaveLength(0);
  });

  it('a claim older than parentClaimTimeout (its sender died) is taken over', async () => {
    await store.create(ThreadStore.key('slack', 'deploys', 'app-guestbook'), JSON.stringify({ claimed: Date.now() - 60_000 }));
    await sink.send(grouped('sync started', {}), service);
    await sink.send(grouped('sync succeeded', {}), service);
    const [parent, reply] = api.messages('deploys');
    expect(reply!.thread_ts).toBe(parent!.ts);
  });

  it('two sends racing for a new thread make one parent; the loser retries into its thread', async () => {
    const other = await startSink({ store });
    const outcomes = await Promise.allSettled([sink.send(grouped('first', {}), service), other.send(grouped('second', {}), service)]);
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ retryable: true });
    const loser = outcomes[0]!.status === 'rejected' ? 'first' : 'second';
    await (loser === 'first' ? sink : other).send(grouped(loser, {}), service);
    const [parent, reply] = api.messages('deploys');
    expect(parent!.thread_ts).toBeUndefined();
    expect(reply).toMatchObject({ text: loser, thread_ts: parent!.ts });
    await other.handle.stop();
  });

  it('a parent Slack refused leaves no claim: the retry posts the parent', async () => {
    api.behave('http-500', 'deploys');
    expect(await rejection(sink.send(grouped('sync started', {}), service))).toMatchObject({ retryable: true });
    api.behave('ok', 'deploys');
    await sink.send(grouped('sync started', {}), service);
    expect(api.messages('deploys')).toEqual([expect.objectContaining({ text: 'sync started' })]);
    expect(api.messages('deploys')[0]).not.toHaveProperty('thread_ts');
  });
});
