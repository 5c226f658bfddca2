import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCuttingEcho, startFakeRocketChat, type FakeRocketChat } from '@herald/test-harness';
import { rocketchatTemplateSchema } from './rocketchat.config.ts';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/rocketchat-harness.ts';

let api: FakeRocketChat;
let sink: TestSink;
let service: { serverUrl: string; email: string; password: string };

beforeAll(async () => {
  api = await startFakeRocketChat();
  service = { serverUrl: api.serverUrl, email: api.email, password: api.password };
});
afterAll(async () => {
  await api.close();
});
beforeEach(async () => {
  api.reset();
  await sink?.handle.stop();
  sink = await startSink();
});

const attachments = '[{"title":"web-1","color":"#18be52","text":"Running","actions":[{"type":"button","text":"Open","url":"https://argo.example.com"}]}]';

describe('the requests Rocket.Chat receives', () => {
  it('login (user, password), then chat.postMessage with X-Auth-Token and X-User-Id and Argo’s fields', async () => {
    await sink.send(notification('#deploys', 'web-1 synced', { attachments }), { ...service, alias: 'Argo CD', icon: ':rocket:', avatar: 'https://example.com/argo.png' });
    expect(api.requests.map((r) => r.url)).toEqual(['/api/v1/login', '/api/v1/chat.postMessage']);
    const [login, post] = api.requests;
    expect(login).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(login!.body)).toEqual({ user: api.email, password: api.password });
    expect(login!.status).toBe(200);
    expect(post!.headers).toMatchObject({ 'content-type': 'application/json', 'x-user-id': 'aobEdbYhXfu5hkeqG', 'x-auth-token': expect.stringMatching(/^[\w-]{43}$/) });
    expect(JSON.parse(post!.body)).toEqual({ channel: '#deploys', text: 'web-1 synced', alias: 'Argo CD', emoji: ':rocket:', avatar: 'https://example.com/argo.png', attachments: JSON.parse(attachments) });
    expect(api.accepted()).toBe(1);
  });

  it.each([
    ['#deploys', { channel: '#deploys' }],
    ['@jane', { channel: '@jane' }],
    ['GENERAL', { roomId: 'GENERAL' }],
  ])('recipient %s is sent as %o, as Argo', async (recipient, field) => {
    await sink.send(notification(recipient, 'x'), service);
    expect(JSON.parse(api.requests[1]!.body)).toEqual({ ...field, text: 'x' });
  });

  it('an icon that is no :emoji: and an avatar that is no URL are left out, with one warning', async () => {
    await sink.send(notification('#a', 'x'), { ...service, icon: 'rocket', avatar: 'not a url' });
    await sink.send(notification('#a', 'y'), { ...service, icon: 'rocket', avatar: 'not a url' });
    expect(JSON.parse(api.requests[1]!.body)).toEqual({ channel: '#a', text: 'x' });
    const warnings = sink.logger.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0])).toContain('"ignored":["icon","avatar"]');
  });

  it('the login is kept: a second send is one request', async () => {
    await sink.send(notification('#a', 'x'), service);
    await sink.send(notification('#a', 'y'), service);
    expect(api.requests.map((r) => r.url)).toEqual(['/api/v1/login', '/api/v1/chat.postMessage', '/api/v1/chat.postMessage']);
    expect(api.logins()).toBe(1);
  });

  it('a kept token Rocket.Chat no longer takes: log in again and post, once', async () => {
    await sink.send(notification('#a', 'x'), service);
    api.expireTokens();
    await sink.send(notification('#a', 'y'), service);
    expect(api.requests.map((r) => [r.url, r.status])).toEqual([
      ['/api/v1/login', 200],
      ['/api/v1/chat.postMessage', 200],
      ['/api/v1/chat.postMessage', 401],
      ['/api/v1/login', 200],
      ['/api/v1/chat.postMessage', 200],
    ]);
    expect(api.messages().map((m) => m.text)).toEqual(['x', 'y']);
  });

  it.each([
    ['not JSON', '[{"title": oops}]', /rocketchat.attachments is not valid JSON after rendering/],
    ['not a list', '{"title":"x"}', /must render to a JSON list/],
  ])('attachments that are %s: permanent before any request', async (_what, text, reason) => {
    expect(await rejection(sink.send(notification('#a', 'x', { attachments: text }), service))).toMatchObject({ retryable: false, message: expect.stringMatching(reason) });
    expect(api.requests).toHaveLength(0);
  });

  it('the template block is checked: a misspelt field is an error', () => {
    expect(rocketchatTemplateSchema.safeParse({ attachments: '[]' }).success).toBe(true);
    expect(rocketchatTemplateSchema.safeParse({ attachements: '[]' }).success).toBe(false);
  });
});

describe('what Rocket.Chat refuses', () => {
  it('a wrong password: the login’s 401, permanent, no message posted; the password in no error, cause or log line', async () => {
    const wrong = 'wrong-Password-987654!';
    const err = await rejection(sink.send(notification('#a', 'x'), { ...service, password: wrong }, { secrets: [wrong] }));
    expect(err).toMatchObject({ retryable: false, message: `rocketchat "rocketchat": chat.postMessage to #a: login as ${api.email}: Rocket.Chat answered 401: Unauthorized` });
    expect(api.requests).toHaveLength(1);
    expect([err.message, err.stack, String(err.cause), sink.logger.text()].join('\n')).not.toContain(wrong);
  });

  it.each([
    [400, 'The required "roomId" or "channel" param provided does not match any channel [error-invalid-channel]'],
    [400, 'error-not-allowed'],
  ])('%i %s is permanent with Rocket.Chat’s error, after one post', async (status, error) => {
    api.behave({ status, error }, '#a');
    const err = await rejection(sink.send(notification('#a', 'x'), service));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT', message: `rocketchat "rocketchat": chat.postMessage to #a: Rocket.Chat answered ${status}: ${error}` });
    expect(api.requests.filter((r) => r.url === '/api/v1/chat.postMessage')).toHaveLength(1);
  });

  it('the auth token (from the login) is masked in errors too', async () => {
    await sink.send(notification('#a', 'x'), service);
    const token = api.requests[1]!.headers['x-auth-token']!;
    api.behave({ status: 400, error: `echo ${token}` }, '#a');
    const err = await rejection(sink.send(notification('#a', 'x'), service));
    expect(err.message).toContain('echo ***');
    expect(err.message).not.toContain(token);
  });
});

describe('what may pass later', () => {
  it('the rate limiter’s 429: retryable after X-RateLimit-Reset', async () => {
    api.behave({ throttle: 42 }, '#a');
    const err = await rejection(sink.send(notification('#a', 'x'), service));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 42_000, message: expect.stringContaining('[error-too-many-requests]') });
  });

  it('500 is retryable', async () => {
    api.behave('http-500', '#a');
    expect(await rejection(sink.send(notification('#a', 'x'), service))).toMatchObject({ retryable: true, message: expect.stringContaining('Rocket.Chat answered 500') });
  });

  it('a server that never answers is cut by the service timeout', async () => {
    await sink.send(notification('#a', 'x'), service);
    api.behave('hang', '#a');
    expect(await rejection(sink.send(notification('#a', 'x'), { ...service, timeout: '200ms' }))).toMatchObject({ retryable: true, message: 'rocketchat "rocketchat": chat.postMessage to #a: no answer within 200 ms' });
  });
});

it('a refusal that echoes the password where the error cuts its text shows none of it', async () => {
  const echo = await startCuttingEcho(api.password);
  try {
    const err = await rejection(sink.send(notification('#a', 'x'), { ...service, serverUrl: echo.origin }));
    expect(err.message).not.toContain(echo.firstHalf);
  } finally {
    await echo.close();
  }
});
