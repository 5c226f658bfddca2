import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './fake-slack-server.ts';

let api: FakeSlack;
beforeAll(async () => {
  api = await startFakeSlack();
});
afterAll(() => api.close());

const call = (method: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(`${api.apiUrl}${method}`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${api.token}`, ...headers }, body: JSON.stringify(body) });

it('takes a JSON body with a bearer token, as Slack does, and answers with the posted message', async () => {
  const res = await call('chat.postMessage', { channel: '#ops', text: 'hi', blocks: [{ type: 'divider' }] });
  expect(await res.json()).toMatchObject({ ok: true, channel: api.channelId('ops'), ts: expect.stringMatching(/^\d+\.\d{6}$/), message: { text: 'hi', blocks: [{ type: 'divider' }] } });
  expect(api.accepted()).toBe(1);
});

it('refuses a call without a token or with another token, with Slack\'s errors on HTTP 200', async () => {
  const missing = await fetch(`${api.apiUrl}auth.test`, { method: 'POST' });
  expect([missing.status, await missing.json()]).toEqual([200, { ok: false, error: 'not_authed' }]);
  const wrong = await call('auth.test', {}, { authorization: 'Bearer xoxb-other' });
  expect(await wrong.json()).toEqual({ ok: false, error: 'invalid_auth' });
});

it('answers a throttled channel 429 with Retry-After, and the others as usual', async () => {
  api.behave({ throttle: 3 }, 'busy');
  const throttled = await call('chat.postMessage', { channel: 'busy', text: 'x' });
  expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '3']);
  expect((await call('chat.postMessage', { channel: 'quiet', text: 'x' })).status).toBe(200);
});

it('with its posting limit on, answers a channel past its burst 429 with Retry-After: 1, and other channels as usual', async () => {
  api.limitPosting({ perSecond: 0.001, burst: 2 });
  const answers: [number, string | null][] = [];
  for (let i = 0; i < 3; i++) {
    const res = await call('chat.postMessage', { channel: 'chatty', text: `${i}` });
    answers.push([res.status, res.headers.get('retry-after')]);
  }
  expect(answers).toEqual([[200, null], [200, null], [429, '1']]);
  expect(api.messages('chatty').map((m) => m.text)).toEqual(['0', '1']);
  expect((await call('chat.postMessage', { channel: 'other', text: 'x' })).status).toBe(200);
  api.limitPosting(undefined);
  expect((await call('chat.postMessage', { channel: 'chatty', text: 'again' })).status).toBe(200);
});
