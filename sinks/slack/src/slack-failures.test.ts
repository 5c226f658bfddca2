import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, startEndlessAnswerServer, startFakeSlack, type FakeSlack } from '@herald/test-harness';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/slack-harness.ts';

let api: FakeSlack;
let sink: TestSink;
let service: { token: string; apiURL: string; signingSecret: string };

beforeAll(async () => {
  api = await startFakeSlack();
  service = { token: api.token, apiURL: api.apiUrl, signingSecret: 'signing-secret-0123456789abcdef' };
  sink = await startSink();
});
afterAll(async () => {
  await sink.handle.stop();
  await api.close();
});
beforeEach(() => {
  api.reset();
});

describe('what Slack refuses', () => {
  it.each(['channel_not_found', 'not_in_channel', 'invalid_auth', 'account_inactive', 'invalid_blocks'])('%s is permanent, with the Slack error in the reason, after one request', async (error) => {
    api.behave({ error }, 'ops');
    const err = await rejection(sink.send(notification('ops', { message: 'x' }), service));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toContain(`Slack refused: ${error}`);
    expect(err.message).toContain('chat.postMessage to ops');
    expect(api.requests).toHaveLength(1);
  });

  it('a token Slack does not know is invalid_auth, and the token is in no error or log line', async () => {
    const err = await rejection(sink.send(notification('ops', { message: 'x' }), { ...service, token: 'xoxb-wrong-token-9876543210' }));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toContain('invalid_auth');
    const seen = [err.message, String((err as { cause?: unknown }).cause), ...sink.logger.lines].join('\n');
    expect(seen).not.toContain('xoxb-wrong-token-9876543210');
    expect(seen).not.toContain(service.signingSecret);
  });
});

describe('what may pass later', () => {
  it('HTTP 429 with Retry-After is retryable with retryAfterMs, after one request (the client does not queue or retry)', async () => {
    api.behave({ throttle: 7 }, 'ops');
    const err = await rejection(sink.send(notification('ops', { message: 'x' }), service));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 7_000, code: 'HERALD_ERR_DELIVERY_TRANSIENT' });
    expect(err.message).toMatch(/429/);
    expect(api.requests).toHaveLength(1);
  });

  it('ok:false ratelimited is retryable after a pause', async () => {
    api.behave({ error: 'ratelimited' }, 'ops');
    const err = await rejection(sink.send(notification('ops', { message: 'x' }), service));
    expect(err).toMatchObject({ retryable: true });
    expect(err.retryAfterMs).toBeGreaterThan(0);
  });

  it('HTTP 500 and ok:false internal_error are retryable, after one request each', async () => {
    api.behave('http-500', 'ops');
    expect(await rejection(sink.send(notification('ops', { message: 'x' }), service))).toMatchObject({ retryable: true, message: expect.stringMatching(/HTTP 500/) });
    api.behave({ error: 'internal_error' }, 'ops');
    expect(await rejection(sink.send(notification('ops', { message: 'x' }), service))).toMatchObject({ retryable: true, message: expect.stringMatching(/internal_error/) });
    expect(api.requests).toHaveLength(2);
  });

  it('a Slack that never answers is cut by the send signal, as a retryable error', async () => {
    api.behave('hang', 'ops');
    const abort = new AbortController();
    const sending = rejection(sink.send(notification('ops', { message: 'x' }), service, { signal: abort.signal }));
    await api.received(1);
    abort.abort(new Error('delivery deadline passed'));
    const err = await sending;
    expect(err).toMatchObject({ retryable: true });
    expect(err.message).toMatch(/aborted: delivery deadline passed/);
  });

  it('a Slack that never answers is cut by the service timeout', async () => {
    api.behave('hang', 'ops');
    const err = await rejection(sink.send(notification('ops', { message: 'x' }), { ...service, timeout: '200ms' }));
    expect(err).toMatchObject({ retryable: true, message: 'slack "slack": no answer within 200 ms' });
  });

  it('a Slack that cannot be reached is retryable', async () => {
    const err = await rejection(sink.send(notification('ops', { message: 'x' }), { ...service, apiURL: 'http://127.0.0.1:9/api/' }));
    expect(err).toMatchObject({ retryable: true, message: expect.stringMatching(/request failed/) });
  });
});

describe('stop', () => {
  it('is idempotent, and a send after it fails as retryable without a request', async () => {
    const stopping = await startSink();
    await Promise.all([stopping.handle.stop(), stopping.handle.stop()]);
    await stopping.handle.stop();
    expect(await rejection(stopping.send(notification('ops', { message: 'x' }), service))).toMatchObject({ retryable: true });
    expect(api.requests).toHaveLength(0);
  });
});

it('an answer whose body never ends is read no further than 16 MiB: retryable, the connection closed', async () => {
  const endless = await startEndlessAnswerServer(200);
  try {
    const err = await rejection(sink.send(notification('ops', { message: 'x' }), { ...service, apiURL: endless.url, timeout: '60s' }));
    expect(err).toMatchObject({ retryable: true, message: expect.stringMatching(/chat\.postMessage to ops: .*the answer was longer than 16777216 bytes/) });
    await eventually(async () => expect(endless.cutOff()).toBe(1));
    expect(endless.bytesSent()).toBeLessThan(64 * 1024 * 1024);
  } finally {
    await endless.close();
  }
});
