import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf, sampleNotificationTo, startTestSink, type TestSink } from '@herald/plugin-testing';
import { startFakeGoogleChat, startRecordingServer, type FakeGoogleChat, type GoogleChatBehaviour } from '@herald/test-harness';
import type { NotificationData } from '@herald/plugin-sdk';
import googlechat from './googlechat-sink.ts';
import { googleChatServiceConfigSchema, type GoogleChatServiceConfigInput } from './googlechat.config.ts';

let api: FakeGoogleChat;
let sink: TestSink<typeof googleChatServiceConfigSchema>;

beforeAll(async () => {
  api = await startFakeGoogleChat();
  sink = await startTestSink(googlechat);
});
afterAll(async () => {
  await sink?.handle.stop();
  await api?.close();
});
afterEach(() => api.reset());

const notification = (rendered: Record<string, unknown>, recipient = 'ops'): NotificationData =>
  sampleNotificationTo('googlechat', recipient, rendered, { template: 'app-synced' });

const send = (n: NotificationData, service: GoogleChatServiceConfigInput = { webhooks: { ops: api.webhookUrl('ops') } }) => sink.send(n, service, { secrets: [] });

const refusal = rejectionOf;

const CARDS_V2 = `
- header:
    title: "{{.app}} synced"
    subtitle: web
  sections:
    - widgets:
        - decoratedText:
            topLabel: Status
            text: Synced
`;

describe('googlechat sink: the request Argo sends', () => {
  it('posts the message as text to the space’s webhook URL, unchanged, as Go encodes it', async () => {
    await send(notification({ message: 'Pod <web-1> & co are ready' }));
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request!.method).toBe('POST');
    expect(`${api.origin}${request!.url}`).toBe(api.webhookUrl('ops'));
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toBe('{"text":"Pod \\u003cweb-1\\u003e \\u0026 co are ready"}');
    expect(api.messages.map((m) => m.text)).toEqual(['Pod <web-1> & co are ready']);
  });

  it('posts cardsV2 rendered as YAML with an empty text and a card id that every retry keeps', async () => {
    const n = notification({ message: 'not sent with cards', googlechat: { cardsV2: CARDS_V2 } });
    await send(n);
    await send(n);
    const [first, second] = api.requests.map((r) => r.body);
    expect(first).toBe(second);
    const body = JSON.parse(first!) as { text: string; cardsV2: { card: unknown; cardId: string }[] };
    expect(first!.startsWith('{"text":"","cardsV2":[{"card":{"header":{"subtitle":"web","title":"{{.app}} synced"},"sections":[{"widgets":[{"decoratedText":{"text":"Synced","topLabel":"Status"}}]}]},"cardId":"')).toBe(true);
    expect(body.cardsV2[0]!.cardId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(api.messages).toHaveLength(2);
  });

  it('posts legacy cards given as JSON', async () => {
    await send(notification({ message: 'm', googlechat: { cards: '[{"sections":[{"widgets":[{"textParagraph":{"text":"<b>web</b> synced"}}]}]}]' } }));
    expect(api.requests[0]!.body).toBe('{"text":"","cards":[{"sections":[{"widgets":[{"textParagraph":{"text":"\\u003cb\\u003eweb\\u003c/b\\u003e synced"}}]}]}]}');
  });

  it('replies in the threadKey’s thread: threadKey and messageReplyOption added to the query, sorted as Go encodes it', async () => {
    await send(notification({ message: 'first', googlechat: { threadKey: 'app web/prod' } }));
    await send(notification({ message: 'second', googlechat: { threadKey: 'app web/prod' } }));
    const webhook = new URL(api.webhookUrl('ops'));
    const key = webhook.searchParams.get('key')!;
    const token = encodeURIComponent(webhook.searchParams.get('token')!);
    expect(api.requests.map((r) => r.url)).toEqual(
      Array(2).fill(`${webhook.pathname}?key=${key}&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD&threadKey=app+web%2Fprod&token=${token}`),
    );
    const [first, second] = api.messages;
    expect(second!.thread).toBe(first!.thread);
    expect([first!.threadReply, second!.threadReply]).toEqual([false, true]);
  });

  it('refuses cards that do not render to a list, naming the field, and sends nothing', async () => {
    const err = await refusal(send(notification({ message: 'm', googlechat: { cardsV2: 'header: {title: x}' } })));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('template "app-synced": googlechat.cardsV2 must render to a list of cards');
    const yaml = await refusal(send(notification({ message: 'm', googlechat: { cards: '- a: [' } })));
    expect(yaml.message).toMatch(/^template "app-synced": googlechat\.cards is not valid YAML or JSON after rendering/);
    expect(api.requests).toHaveLength(0);
  });

  it('refuses a recipient with no webhook, naming the ones there are', async () => {
    const err = await refusal(send(notification({ message: 'm' }, 'dev')));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('googlechat "googlechat": no webhook for recipient "dev" in webhooks (it has ops)');
  });
});

describe('googlechat sink: what Google answers', () => {
  const cases: { behaviour: GoogleChatBehaviour; retryable: boolean; retryAfterMs?: number; text: string }[] = [
    { behaviour: 'http-500', retryable: true, text: 'Google Chat answered HTTP 500: INTERNAL: Internal error encountered.' },
    { behaviour: 'not-found', retryable: false, text: 'Google Chat answered HTTP 404: NOT_FOUND: Requested entity was not found.' },
    { behaviour: { throttle: 2 }, retryable: true, retryAfterMs: 2_000, text: 'Google Chat answered HTTP 429: RESOURCE_EXHAUSTED: Resource has been exhausted (e.g. check quota).' },
    { behaviour: { throttle: 0 }, retryable: true, text: 'Google Chat answered HTTP 429: RESOURCE_EXHAUSTED' },
  ];
  it.each(cases)('$behaviour: retryable $retryable, with Google’s status and message', async ({ behaviour, retryable, retryAfterMs, text }) => {
    api.behave(behaviour);
    const err = await refusal(send(notification({ message: 'm' })));
    expect(err.retryable).toBe(retryable);
    expect(err.retryAfterMs).toBe(retryAfterMs);
    expect(err.message).toContain(`googlechat "googlechat": POST for recipient "ops" to ${api.origin}: ${text}`);
  });

  it('takes a wrong token as permanent, and shows neither token nor key', async () => {
    const url = api.webhookUrl('ops').replace(/token=[^&]+/, 'token=wr0ng-t0ken-value');
    const err = await refusal(send(notification({ message: 'm' }), { webhooks: { ops: url } }));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('Google Chat answered HTTP 401: UNAUTHENTICATED: Request had invalid authentication credentials.');
    const seen = [err.message, sink.logger.text()].join('\n');
    for (const part of ['wr0ng-t0ken-value', new URL(url).searchParams.get('key')!, new URL(url).pathname.split('/')[3]!]) expect(seen).not.toContain(part);
  });

  it('never shows the webhook’s key and token, even when the server echoes the request', async () => {
    const echo = await startRecordingServer((req) => ({ status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 400, status: 'INVALID_ARGUMENT', message: `bad request to ${req.url}` } }) }));
    try {
      const url = `${echo.origin}/v1/spaces/AAAAxY12abc/messages?key=AIzaSyEchoKey0123456789&token=t0k3n-echo-s3cret%3D`;
      const err = await refusal(send(notification({ message: 'm', googlechat: { threadKey: 'web' } }), { webhooks: { ops: url } }));
      expect(err.message).toContain('Google Chat answered HTTP 400: INVALID_ARGUMENT: bad request to ***');
      for (const part of ['AIzaSyEchoKey0123456789', 't0k3n-echo-s3cret', 'AAAAxY12abc']) expect([err.message, sink.logger.text()].join('\n')).not.toContain(part);
    } finally {
      await echo.close();
    }
  });
});
