import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf, sampleNotificationTo, startTestSink, type TestSink } from '@herald/plugin-testing';
import { startFakeDiscord, startRecordingServer, type DiscordBehaviour, type FakeDiscord } from '@herald/test-harness';
import type { NotificationData } from '@herald/plugin-sdk';
import discord from './discord-sink.ts';
import { discordServiceConfigSchema, type DiscordServiceConfigInput } from './discord.config.ts';

let api: FakeDiscord;
let sink: TestSink<typeof discordServiceConfigSchema>;

beforeAll(async () => {
  api = await startFakeDiscord();
  sink = await startTestSink(discord);
});
afterAll(async () => {
  await sink?.handle.stop();
  await api?.close();
});
afterEach(() => api.reset());

const notification = (rendered: Record<string, unknown>, recipient = 'deploys'): NotificationData =>
  sampleNotificationTo('discord', recipient, rendered, { template: 'app-synced' });

const send = (n: NotificationData, service: DiscordServiceConfigInput = { webhooks: { deploys: api.webhookUrl('deploys') } }) => sink.send(n, service, { secrets: [] });

const refusal = rejectionOf;

describe('discord sink: the request', () => {
  it('executes the recipient’s webhook with ?wait=true and the discord block as Discord’s fields', async () => {
    const embeds = '[{"title":"web","color":3066993,"fields":[{"name":"Sync","value":"Synced","inline":true}]}]';
    await send(notification({ message: 'not the content', discord: { content: '**web** synced', username: 'Argo CD', avatarUrl: 'https://argo.example.com/logo.png', embeds } }));
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request!.method).toBe('POST');
    expect(`${api.origin}${request!.url}`).toBe(`${api.webhookUrl('deploys')}?wait=true`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toBe(`{"content":"**web** synced","username":"Argo CD","avatar_url":"https://argo.example.com/logo.png","embeds":${embeds}}`);
    expect(api.messages).toEqual([{ id: expect.any(String), webhook: 'deploys', content: '**web** synced', username: 'Argo CD', avatar_url: 'https://argo.example.com/logo.png', embeds: JSON.parse(embeds) }]);
  });

  it('sends the message as content when the block has none, and keeps the webhook’s own query (thread_id)', async () => {
    await send(notification({ message: 'Pod web-1 is ready' }), { webhooks: { deploys: `${api.webhookUrl('deploys')}?thread_id=1180000000000000042` } });
    expect(api.requests[0]!.url).toMatch(/\?thread_id=1180000000000000042&wait=true$/);
    expect(api.requests[0]!.body).toBe('{"content":"Pod web-1 is ready"}');
  });

  it('refuses embeds that do not render to a JSON list, naming the field, and sends nothing', async () => {
    const err = await refusal(send(notification({ message: 'm', discord: { embeds: '{"title":"x"}' } })));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('template "app-synced": discord.embeds must render to a JSON list of embeds');
    expect(api.requests).toHaveLength(0);
  });
});

describe('discord sink: what Discord answers', () => {
  const cases: { behaviour: DiscordBehaviour; retryable: boolean; retryAfterMs?: number; text: string }[] = [
    { behaviour: 'http-500', retryable: true, text: 'Discord answered HTTP 500: 500: Internal Server Error' },
    { behaviour: 'deleted', retryable: false, text: 'Discord answered HTTP 404: Unknown Webhook (code 10015)' },
    { behaviour: { throttle: 1.234 }, retryable: true, retryAfterMs: 1_234, text: 'Discord answered HTTP 429: You are being rate limited., scope shared' },
  ];
  it.each(cases)('$behaviour: retryable $retryable, with Discord’s message and code', async ({ behaviour, retryable, retryAfterMs, text }) => {
    api.behave(behaviour);
    const err = await refusal(send(notification({ message: 'm' })));
    expect(err.retryable).toBe(retryable);
    expect(err.retryAfterMs).toBe(retryAfterMs);
    expect(err.message).toBe(`discord "discord": POST for recipient "deploys" to ${api.origin}: ${text}`);
  });

  it('takes what Discord refuses in the message as permanent, with the field errors', async () => {
    const long = await refusal(send(notification({ message: 'x'.repeat(2_001) })));
    expect(long.retryable).toBe(false);
    expect(long.message).toContain('Discord answered HTTP 400: Invalid Form Body (code 50035): content: Must be 2000 or fewer in length.');
    const empty = await refusal(send(notification({})));
    expect(empty.message).toContain('Discord answered HTTP 400: Cannot send an empty message (code 50006)');
  });

  it('takes a wrong token as permanent, and shows neither the token nor the webhook id', async () => {
    const url = api.webhookUrl('deploys').replace(/[^/]+$/, 'wr0ngT0kenValue_abcdefghijklmnop');
    const err = await refusal(send(notification({ message: 'm' }), { webhooks: { deploys: url } }));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('Discord answered HTTP 401: Invalid Webhook Token (code 50027)');
    const seen = [err.message, sink.logger.text()].join('\n');
    for (const part of ['wr0ngT0kenValue_abcdefghijklmnop', new URL(url).pathname.split('/')[3]!]) expect(seen).not.toContain(part);
  });

  it('gets 429 past the webhook’s bucket, and waits as long as Discord says the bucket needs', async () => {
    const limited = await startFakeDiscord({ rateLimit: { limit: 2, windowMs: 60_000 } });
    try {
      const service = { webhooks: { deploys: limited.webhookUrl('deploys') } };
      await send(notification({ message: '1' }), service);
      await send(notification({ message: '2' }), service);
      const err = await refusal(send(notification({ message: '3' }), service));
      expect(err.retryable).toBe(true);
      expect(err.message).toContain('Discord answered HTTP 429: You are being rate limited., scope shared');
      expect(err.retryAfterMs).toBeGreaterThan(0);
      expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(limited.requests.map((r) => r.status)).toEqual([200, 200, 429]);
      expect(limited.messages.map((m) => m.content)).toEqual(['1', '2']);
    } finally {
      await limited.close();
    }
  });

  it('never shows the webhook token, even when the server echoes the request', async () => {
    const echo = await startRecordingServer((req) => ({ status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: `no webhook at ${req.url}`, code: 0 }) }));
    try {
      const url = `${echo.origin}/api/webhooks/1180000000000000777/EchoT0kenSecretValue-abcdefghijklmnopqrstuvwxyz`;
      const err = await refusal(send(notification({ message: 'm' }), { webhooks: { deploys: url } }));
      expect(err.message).toContain('Discord answered HTTP 400: no webhook at ***');
      for (const part of ['EchoT0kenSecretValue', '1180000000000000777']) expect([err.message, sink.logger.text()].join('\n')).not.toContain(part);
    } finally {
      await echo.close();
    }
  });
});
