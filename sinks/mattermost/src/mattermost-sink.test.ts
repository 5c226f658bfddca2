import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf, sampleNotificationTo, startTestSink, type TestSink } from '@herald/plugin-testing';
import { startFakeMattermost, startRecordingServer, type FakeMattermost, type MattermostBehaviour } from '@herald/test-harness';
import type { NotificationData } from '@herald/plugin-sdk';
import mattermost from './mattermost-sink.ts';
import { mattermostServiceConfigSchema, type MattermostServiceConfigInput } from './mattermost.config.ts';

let api: FakeMattermost;
let sink: TestSink<typeof mattermostServiceConfigSchema>;

beforeAll(async () => {
  api = await startFakeMattermost();
  sink = await startTestSink(mattermost);
});
afterAll(async () => {
  await sink?.handle.stop();
  await api?.close();
});
afterEach(() => api.reset());

const notification = (rendered: Record<string, unknown>, recipient = api.channelId('deploys')): NotificationData =>
  sampleNotificationTo('mattermost', recipient, rendered, { template: 'app-synced' });

const send = (n: NotificationData, service: MattermostServiceConfigInput = { apiURL: api.apiUrl, token: api.token }, secrets = [api.token]) => sink.send(n, service, { secrets });

const refusal = rejectionOf;

describe('mattermost sink: the request Argo sends', () => {
  it('posts channel, message and attachments to /api/v4/posts with the bearer token, byte for byte', async () => {
    const channel = api.channelId('deploys');
    await send(notification({ message: 'App <web> synced', mattermost: { attachments: '[{"title":"web","color":"#18be52","fields":[{"value":"Synced","title":"Sync","short":true}]}]' } }));
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect([request!.method, request!.url]).toEqual(['POST', '/api/v4/posts']);
    expect(request!.headers.authorization).toBe(`Bearer ${api.token}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toBe(
      `{"channel_id":"${channel}","message":"App \\u003cweb\\u003e synced","props":{"attachments":[{"color":"#18be52","fields":[{"short":true,"title":"Sync","value":"Synced"}],"title":"web"}]}}`,
    );
    expect(api.posts.map((p) => p.message)).toEqual(['App <web> synced']);
  });

  it('sends an empty attachments list without a block, and a trailing slash on apiURL does not double', async () => {
    await send(notification({ message: 'm' }), { apiURL: `${api.apiUrl}/`, token: api.token });
    expect(api.requests[0]!.url).toBe('/api/v4/posts');
    expect(api.requests[0]!.body).toBe(`{"channel_id":"${api.channelId('deploys')}","message":"m","props":{"attachments":[]}}`);
  });

  it('refuses attachments that are not a JSON list, naming the field, and sends nothing', async () => {
    const err = await refusal(send(notification({ message: 'm', mattermost: { attachments: '{"title":"x"}' } })));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('template "app-synced": mattermost.attachments must render to a JSON list');
    expect(api.requests).toHaveLength(0);
  });
});

describe('mattermost sink: what Mattermost answers', () => {
  const cases: { behaviour: MattermostBehaviour; retryable: boolean; retryAfterMs?: number; text: string }[] = [
    { behaviour: 'http-500', retryable: true, text: 'Mattermost answered HTTP 500: Unable to save the Post. (app.post.save.app_error)' },
    { behaviour: 'forbidden', retryable: false, text: 'Mattermost answered HTTP 403: You do not have the appropriate permissions. (api.context.permissions.app_error)' },
    { behaviour: { throttle: 4 }, retryable: true, retryAfterMs: 4_000, text: 'Mattermost answered HTTP 429: limit exceeded' },
  ];
  it.each(cases)('$behaviour: retryable $retryable, with Mattermost’s message', async ({ behaviour, retryable, retryAfterMs, text }) => {
    api.behave(behaviour);
    const err = await refusal(send(notification({ message: 'm' })));
    expect(err.retryable).toBe(retryable);
    expect(err.retryAfterMs).toBe(retryAfterMs);
    expect(err.message).toBe(`mattermost "mattermost": POST ${api.apiUrl}/api/v4/posts to channel ${api.channelId('deploys')}: ${text}`);
  });

  it('takes a malformed channel id and a wrong token as permanent, with Mattermost’s text', async () => {
    const channel = await refusal(send(notification({ message: 'm' }, 'deploys')));
    expect(channel.retryable).toBe(false);
    expect(channel.message).toContain('Mattermost answered HTTP 400: Invalid channel id. (model.post.is_valid.channel_id.app_error)');
    const token = await refusal(send(notification({ message: 'm' }), { apiURL: api.apiUrl, token: 'wr0ng-t0ken-value' }, []));
    expect(token.retryable).toBe(false);
    expect(token.message).toContain('Mattermost answered HTTP 401: Invalid or expired session, please login again.');
  });

  it('never shows the token, even when the server echoes the request', async () => {
    const echo = await startRecordingServer((req) => ({ status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'x', message: `bad request with ${String(req.headers.authorization)}` }) }));
    try {
      const err = await refusal(send(notification({ message: 'm' }), { apiURL: echo.origin, token: 'inline-t0ken-not-from-a-secret' }, []));
      expect(err.message).toContain('Mattermost answered HTTP 400: bad request with Bearer ***');
      expect([err.message, sink.logger.text()].join('\n')).not.toContain('inline-t0ken-not-from-a-secret');
    } finally {
      await echo.close();
    }
  });
});
