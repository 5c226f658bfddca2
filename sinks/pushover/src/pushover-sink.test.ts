import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCuttingEcho, startFakePushover, type FakePushover } from '@herald/test-harness';
import { pushoverServiceConfigSchema } from './pushover.config.ts';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/pushover-harness.ts';

const USER = 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG';

let api: FakePushover;
let sink: TestSink;
let service: { token: string; apiURL: string };

beforeAll(async () => {
  api = await startFakePushover();
  service = { token: api.token, apiURL: api.apiUrl };
  sink = await startSink();
});
afterAll(async () => {
  await sink.handle.stop();
  await api.close();
});
beforeEach(() => api.reset());

describe('the request Pushover receives', () => {
  it('one form POST to /1/messages.json: token, user, message, priority 0', async () => {
    await sink.send(notification(USER, 'Pod web-1 is ready ✓'), service);
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/1/messages.json', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(request!.params).toEqual({ token: api.token, user: USER, message: 'Pod web-1 is ready ✓', priority: '0' });
    expect(api.messages()).toEqual([{ user: USER, message: 'Pod web-1 is ready ✓', priority: '0' }]);
  });

  it.each([
    ['a recipient that is not a user key', 'ops@example.com', 'x', /not a Pushover user or group key/],
    ['an empty message', USER, '', /message is empty/],
    ['a message over 1024 characters', USER, 'é'.repeat(1_025), /1025 characters, Pushover takes at most 1024/],
  ])('%s is permanent before any request, as in Argo', async (_what, recipient, message, reason) => {
    expect(await rejection(sink.send(notification(recipient, message), service))).toMatchObject({ retryable: false, message: expect.stringMatching(reason) });
    expect(api.requests).toHaveLength(0);
  });

  it('1024 non-ASCII characters go (Pushover counts characters; Argo counted bytes)', async () => {
    await sink.send(notification(USER, 'é'.repeat(1_024)), service);
    expect(api.accepted()).toBe(1);
  });

  it('a token that is not 30 letters and digits is refused at config load, the value never shown', () => {
    const result = pushoverServiceConfigSchema.safeParse({ token: 'short-secret-token' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error)).not.toContain('short-secret-token');
  });
});

describe('what Pushover refuses', () => {
  it('a user key it does not know: 400, permanent with its errors, after one request', async () => {
    api.behave({ status: 400, field: 'user', error: 'user identifier is not a valid user, group, or subscribed user key, see https://pushover.net/api#identifiers' }, USER);
    const err = await rejection(sink.send(notification(USER, 'x'), service));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toBe(`pushover "pushover": message to ${USER}: Pushover answered 400: user identifier is not a valid user, group, or subscribed user key, see https://pushover.net/api#identifiers`);
    expect(api.requests).toHaveLength(1);
  });

  it('an application token it does not know: permanent, and the token is in no error, cause or log line', async () => {
    const wrong = 'WrongTokenWrongToken0123456789';
    const err = await rejection(sink.send(notification(USER, 'x'), { ...service, token: wrong }, { secrets: [wrong] }));
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('application token is invalid') });
    expect(api.requests[0]!.params).toMatchObject({ token: wrong });
    expect([err.message, err.stack, String(err.cause), sink.logger.text()].join('\n')).not.toContain(wrong);
  });
});

describe('what may pass later', () => {
  it('429 (monthly quota spent) is retryable once the quota resets (X-Limit-App-Reset)', async () => {
    api.behave({ overQuota: 3_600 }, USER);
    const err = await rejection(sink.send(notification(USER, 'x'), service));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 3_600_000, code: 'HERALD_ERR_DELIVERY_TRANSIENT', message: expect.stringContaining('monthly message quota is spent') });
  });

  it('500 is retryable, no sooner than the five seconds Pushover asks for', async () => {
    api.behave('http-500', USER);
    expect(await rejection(sink.send(notification(USER, 'x'), service))).toMatchObject({ retryable: true, retryAfterMs: 5_000, message: expect.stringContaining('Pushover answered 500: Internal Server Error') });
  });

  it('an API that never answers is cut by the service timeout', async () => {
    api.behave('hang', USER);
    expect(await rejection(sink.send(notification(USER, 'x'), { ...service, timeout: '200ms' }))).toMatchObject({ retryable: true, message: `pushover "pushover": message to ${USER}: no answer within 200 ms` });
  });

  it('at most two connections are open to the API: six sends at once all go, over two connections', async () => {
    await Promise.all(Array.from({ length: 6 }, (_, i) => sink.send(notification(USER, `message ${i}`), service)));
    expect(api.accepted()).toBe(6);
    expect(new Set(api.requests.map((r) => r.remotePort)).size).toBeLessThanOrEqual(2);
  });
});

it('a refusal that echoes the token where the error cuts its text shows none of it', async () => {
  const echo = await startCuttingEcho(api.token);
  try {
    const err = await rejection(sink.send(notification(USER, 'x'), { ...service, apiURL: echo.origin }));
    expect(err.message).not.toContain(echo.firstHalf);
  } finally {
    await echo.close();
  }
});
