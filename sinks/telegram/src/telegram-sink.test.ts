import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCuttingEcho, startFakeTelegram, type FakeTelegram } from '@herald/test-harness';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/telegram-harness.ts';

let api: FakeTelegram;
let sink: TestSink;
let service: { token: string; apiURL: string };

beforeAll(async () => {
  api = await startFakeTelegram();
  service = { token: api.token, apiURL: api.apiUrl };
  sink = await startSink();
});
afterAll(async () => {
  await sink.handle.stop();
  await api.close();
});
beforeEach(() => api.reset());

describe('the request Telegram receives', () => {
  it('a group id recipient: one form POST to /bot<token>/sendMessage with the message as Markdown', async () => {
    await sink.send(notification('-1001234567890', '*web-1* is `Running`'), service);
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request).toMatchObject({ method: 'POST', url: `/bot${api.token}/sendMessage`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(request!.params).toEqual({ chat_id: '-1001234567890', text: '*web-1* is `Running`', parse_mode: 'Markdown' });
    expect(api.messages()).toEqual([{ chatId: '-1001234567890', text: '*web-1* is `Running`', parseMode: 'Markdown', threadId: undefined }]);
  });

  it('`-100…|<thread>` posts to that forum topic (message_thread_id)', async () => {
    await sink.send(notification('-1001234567890|42', 'deployed'), service);
    expect(api.requests[0]!.params).toEqual({ chat_id: '-1001234567890', text: 'deployed', parse_mode: 'Markdown', message_thread_id: '42' });
  });

  it.each([
    ['argo-alerts', '@argo-alerts'],
    ['@argo-alerts', '@argo-alerts'],
    ['987654321', '987654321'],
  ])('recipient %s is chat_id %s (a channel username, or a private chat id)', async (recipient, chatId) => {
    await sink.send(notification(recipient, 'x'), service);
    expect(api.requests[0]!.params).toMatchObject({ chat_id: chatId });
  });

  it.each(['-100abc', '-1001|topic', '-1|2|3'])('recipient %s is refused before any request, as permanent', async (recipient) => {
    const err = await rejection(sink.send(notification(recipient, 'x'), service));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toContain(recipient);
    expect(api.requests).toHaveLength(0);
  });

  it('an empty message is permanent before any request (Telegram refuses it)', async () => {
    expect(await rejection(sink.send(notification('-100123', '  '), service))).toMatchObject({ retryable: false, message: expect.stringMatching(/message is empty/) });
    expect(api.requests).toHaveLength(0);
  });
});

describe('what Telegram refuses', () => {
  it.each([
    [400, 'Bad Request: chat not found'],
    [403, 'Forbidden: bot was blocked by the user'],
    [400, "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 3"],
    [400, 'Bad Request: message thread not found'],
  ])('%i %s is permanent with Telegram’s description, after one request', async (status, description) => {
    api.behave({ status, description }, '-100123');
    const err = await rejection(sink.send(notification('-100123', 'x'), service));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toBe(`telegram "telegram": sendMessage to -100123: Telegram answered ${status}: ${description}`);
    expect(api.requests).toHaveLength(1);
  });

  it('a group upgraded to a supergroup names the new chat id', async () => {
    api.behave({ status: 400, description: 'Bad Request: group chat was upgraded to a supergroup chat', parameters: { migrate_to_chat_id: -1009999 } }, '-100123');
    const err = await rejection(sink.send(notification('-100123', 'x'), service));
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('the supergroup -1009999') });
  });

  it('a wrong token is 401 Unauthorized, permanent, and neither token is in the error, its cause or a log line', async () => {
    const wrong = '555555:AAwrong-token-0123456789abcdefXYZ';
    const err = await rejection(sink.send(notification('-100123', 'x'), { ...service, token: wrong }, { secrets: [wrong] }));
    expect(err).toMatchObject({ retryable: false, message: 'telegram "telegram": sendMessage to -100123: Telegram answered 401: Unauthorized' });
    const seen = [err.message, err.stack, String(err.cause), sink.logger.text()].join('\n');
    expect(seen).not.toContain(wrong);
    expect(seen).not.toContain('AAwrong-token');
  });

  it('a token given literally (not from the Secret) is masked too, in a transport error', async () => {
    const err = await rejection(sink.send(notification('-100123', 'x'), { token: api.token, apiURL: 'http://127.0.0.1:9' }));
    expect(err).toMatchObject({ retryable: true, message: expect.stringMatching(/request failed/) });
    expect([err.message, err.stack, String(err.cause)].join('\n')).not.toContain(api.token);
  });
});

describe('what may pass later', () => {
  it('429 with parameters.retry_after is retryable after that many seconds', async () => {
    api.behave({ throttle: 17 }, '-100123');
    const err = await rejection(sink.send(notification('-100123', 'x'), service));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 17_000, code: 'HERALD_ERR_DELIVERY_TRANSIENT' });
    expect(err.message).toContain('Too Many Requests: retry after 17');
    expect(api.requests).toHaveLength(1);
  });

  it('500 is retryable', async () => {
    api.behave('http-500', '-100123');
    expect(await rejection(sink.send(notification('-100123', 'x'), service))).toMatchObject({ retryable: true, message: expect.stringContaining('500: Internal Server Error') });
  });

  it('a Bot API that never answers is cut by the send signal, as retryable', async () => {
    api.behave('hang', '-100123');
    const abort = new AbortController();
    const sending = rejection(sink.send(notification('-100123', 'x'), service, { signal: abort.signal }));
    await api.received(1);
    abort.abort(new Error('delivery deadline passed'));
    expect(await sending).toMatchObject({ retryable: true, message: expect.stringMatching(/aborted: delivery deadline passed/) });
  });

  it('and by the service timeout', async () => {
    api.behave('hang', '-100123');
    const err = await rejection(sink.send(notification('-100123', 'x'), { ...service, timeout: '200ms' }));
    expect(err).toMatchObject({ retryable: true, message: 'telegram "telegram": sendMessage to -100123: no answer within 200 ms' });
  });
});

it('a refusal that echoes the token where the error cuts its text shows none of it', async () => {
  const echo = await startCuttingEcho(api.token);
  try {
    const err = await rejection(sink.send(notification('-1001234567890', 'x'), { ...service, apiURL: echo.origin }));
    expect(err.message).not.toContain(echo.firstHalf);
  } finally {
    await echo.close();
  }
});
