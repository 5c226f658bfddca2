import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCuttingEcho, startFakeWebex, type FakeWebex } from '@herald/test-harness';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/webex-harness.ts';

const ROOM = 'Y2lzY29zcGFyazovL3VzL1JPT00vYmJjZWIxYWQtNDNmMS0zYjU4LTkxNDctZjE0YmIwYzRkMTU0';

let api: FakeWebex;
let sink: TestSink;
let service: { token: string; apiURL: string };

beforeAll(async () => {
  api = await startFakeWebex();
  service = { token: api.token, apiURL: api.apiUrl };
  sink = await startSink();
});
afterAll(async () => {
  await sink.handle.stop();
  await api.close();
});
beforeEach(() => api.reset());

describe('the request Webex receives', () => {
  it('a room id: POST /v1/messages, bearer token, JSON {roomId, markdown}', async () => {
    await sink.send(notification(ROOM, '**web-1** is `Running`'), service);
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/messages', headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` } });
    expect(JSON.parse(request!.body)).toEqual({ roomId: ROOM, markdown: '**web-1** is `Running`' });
    expect(api.messages()).toEqual([{ roomId: ROOM, markdown: '**web-1** is `Running`' }]);
  });

  it('an email recipient: toPersonEmail, as Argo', async () => {
    await sink.send(notification('ops@example.com', 'hi'), service);
    expect(JSON.parse(api.requests[0]!.body)).toEqual({ toPersonEmail: 'ops@example.com', markdown: 'hi' });
  });

  it('apiURL with a trailing slash or a path prefix: /v1/messages appended once', async () => {
    await sink.send(notification(ROOM, 'x'), { ...service, apiURL: `${api.apiUrl}/` });
    expect(api.requests[0]!.url).toBe('/v1/messages');
  });

  it('an empty message is permanent before any request', async () => {
    expect(await rejection(sink.send(notification(ROOM, ''), service))).toMatchObject({ retryable: false, message: expect.stringMatching(/message is empty/) });
    expect(api.requests).toHaveLength(0);
  });
});

describe('what Webex refuses', () => {
  it.each([
    [404, 'Could not find a room with provided ID.'],
    [403, 'Failed to post message: the bot is not a member of the room.'],
    [400, 'Message too long.'],
  ])('%i is permanent with the Webex message, after one request', async (status, message) => {
    api.behave({ status, message }, ROOM);
    const err = await rejection(sink.send(notification(ROOM, 'x'), service));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toMatch(new RegExp(`^webex "webex": message to ${ROOM}: Webex answered ${status}: ${message.replace(/\./g, '\\.')} \\(trackingId ROUTER_HERALD\\.\\d+\\)$`));
    expect(api.requests).toHaveLength(1);
  });

  it('a wrong token is 401, permanent, and the token is in no error, cause or log line', async () => {
    const wrong = 'wrong-webex-token-ZZZ-0123456789';
    const err = await rejection(sink.send(notification(ROOM, 'x'), { ...service, token: wrong }, { secrets: [wrong] }));
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('Webex answered 401: The request requires a valid access token') });
    expect([err.message, err.stack, String(err.cause), sink.logger.text()].join('\n')).not.toContain(wrong);
  });
});

describe('what may pass later', () => {
  it('429 with Retry-After is retryable after it', async () => {
    api.behave({ throttle: 12 }, ROOM);
    const err = await rejection(sink.send(notification(ROOM, 'x'), service));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 12_000, code: 'HERALD_ERR_DELIVERY_TRANSIENT' });
    expect(api.requests).toHaveLength(1);
  });

  it('500 is retryable', async () => {
    api.behave('http-500', ROOM);
    expect(await rejection(sink.send(notification(ROOM, 'x'), service))).toMatchObject({ retryable: true, message: expect.stringContaining('Webex answered 500') });
  });

  it('an API that cannot be reached is retryable', async () => {
    expect(await rejection(sink.send(notification(ROOM, 'x'), { ...service, apiURL: 'http://127.0.0.1:9' }))).toMatchObject({ retryable: true, message: expect.stringMatching(/request failed/) });
  });

  it('an API that never answers is cut by the service timeout', async () => {
    api.behave('hang', ROOM);
    expect(await rejection(sink.send(notification(ROOM, 'x'), { ...service, timeout: '200ms' }))).toMatchObject({ retryable: true, message: `webex "webex": message to ${ROOM}: no answer within 200 ms` });
  });
});

it('a refusal that echoes the token where the error cuts its text shows none of it', async () => {
  const echo = await startCuttingEcho(api.token);
  try {
    const err = await rejection(sink.send(notification(ROOM, 'x'), { ...service, apiURL: echo.origin }));
    expect(err.message).not.toContain(echo.firstHalf);
  } finally {
    await echo.close();
  }
});
