import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '@herald/test-harness';
import slack from './slack-sink.ts';
import type { SlackServiceConfig } from './slack.config.ts';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/slack-harness.ts';

let api: FakeSlack;
let sink: TestSink;
let service: { token: string; apiURL: string };

beforeAll(async () => {
  api = await startFakeSlack();
  service = { token: api.token, apiURL: api.apiUrl };
  sink = await startSink();
});
afterAll(async () => {
  await sink.handle.stop();
  await api.close();
});
beforeEach(() => {
  api.reset();
});

describe('a message as Slack receives it', () => {
  it('posts the rendered message, blocks and attachments to the channel with the bearer token and the idempotency key in the metadata', async () => {
    const blocks = '[{"type":"section","text":{"type":"mrkdwn","text":"*web-1* is Running"}}]';
    const attachments = '[{"color":"#18be52","title":"web-1","fields":[{"title":"phase","value":"Running","short":true}]}]';
    await sink.send(notification('#ops', { message: 'Pod web-1 is Running', slack: { blocks, attachments } }), service);

    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request).toMatchObject({ method: 'chat.postMessage', authorization: `Bearer ${api.token}` });
    expect(request!.params).toMatchObject({
      channel: '#ops',
      text: 'Pod web-1 is Running',
      blocks: JSON.parse(blocks),
      attachments: JSON.parse(attachments),
      metadata: { event_type: 'herald_notification', event_payload: { idempotency_key: 'f3b2c1d0e9a8:7' } },
    });
    expect(request!.params).not.toHaveProperty('thread_ts');
    expect(api.messages('#ops')).toEqual([expect.objectContaining({ text: 'Pod web-1 is Running', blocks: JSON.parse(blocks) })]);
  });

  it('takes username and icon from the template over the service, an :emoji: as icon_emoji and a URL as icon_url', async () => {
    await sink.send(notification('ops', { message: 'a' }), { ...service, username: 'herald', icon: ':bell:' });
    await sink.send(notification('ops', { message: 'b', slack: { username: 'argo', icon: 'https://example.com/argo.png' } }), { ...service, username: 'herald', icon: ':bell:' });
    await sink.send(notification('ops', { message: 'c' }), { ...service, icon: 'not an icon' });

    const [first, second, third] = api.requests.map((r) => r.params);
    expect(first).toMatchObject({ username: 'herald', icon_emoji: ':bell:' });
    expect(first).not.toHaveProperty('icon_url');
    expect(second).toMatchObject({ username: 'argo', icon_url: 'https://example.com/argo.png' });
    expect(second).not.toHaveProperty('icon_emoji');
    expect(third).not.toHaveProperty('icon_emoji');
    expect(third).not.toHaveProperty('icon_url');
  });

  it('asks Slack not to unfurl when the service says disableUnfurl', async () => {
    await sink.send(notification('ops', { message: 'see https://example.com' }), { ...service, disableUnfurl: true });
    expect(api.requests[0]!.params).toMatchObject({ unfurl_links: false, unfurl_media: false });
  });

  it('goes to the service apiURL with or without a trailing slash', async () => {
    await sink.send(notification('ops', { message: 'x' }), { ...service, apiURL: api.apiUrl.replace(/\/$/, '') });
    expect(api.requests.map((r) => r.method)).toEqual(['chat.postMessage']);
  });
});

describe('service options Slack cannot take', () => {
  it('are a permanent error naming each key as the ConfigMap spells it, and nothing is sent', async () => {
    // Herald hands send the schema's output; options that did not come that way are read by the sink itself.
    const config = { ...service, apiURL: 'slack.example', disableUnfurls: true } as unknown as SlackServiceConfig;
    const err = await rejection(sink.handle.send(notification('ops', { message: 'x' }), { attempt: 1, signal: new AbortController().signal, service: { type: 'slack', name: 'slack', config } }));
    expect(err).toMatchObject({ name: 'DeliveryError', retryable: false });
    expect(err.message).toMatch(/^slack "slack": invalid service options: /);
    expect(err.message).toContain('service.slack.disableUnfurls: unknown key');
    expect(err.message).toMatch(/service\.slack\.apiURL: [^;]*https:\/\/slack\.com\/api\//);
    expect(err.message).not.toContain(api.token);
    expect(api.requests).toHaveLength(0);
  });
});

describe('a template Slack cannot take', () => {
  it('is a permanent error naming the template and the field when blocks are not JSON after rendering, and nothing is sent', async () => {
    const err = await rejection(sink.send(notification('ops', { message: 'x', slack: { blocks: '[{"type": "section",' } }, { template: 'pod-ready' }), service));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toMatch(/template "pod-ready": slack\.blocks is not valid JSON/);
    expect(api.requests).toHaveLength(0);
  });

  it('is a permanent error when attachments render to something other than a list', async () => {
    const err = await rejection(sink.send(notification('ops', { message: 'x', slack: { attachments: '{"color":"red"}' } }), service));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toMatch(/slack\.attachments must render to a JSON list/);
  });

  it('declares a strict template schema: an unknown field is refused, Argo fields pass', () => {
    expect(slack.templateSchema!.safeParse({ attachmnts: '[]' }).success).toBe(false);
    expect(slack.templateSchema!.safeParse({ deliveryPolicy: 'Sometimes' }).success).toBe(false);
    expect(
      slack.templateSchema!.safeParse({ attachments: '[]', blocks: '[]', username: 'u', icon: ':x:', groupingKey: '{{.app.metadata.name}}', notifyBroadcast: true, deliveryPolicy: 'PostAndUpdate' }).success,
    ).toBe(true);
  });

  it('declares Slack\'s one message per second per channel as its default limit', () => {
    expect(slack.limits).toEqual({ perSecond: 1, burst: 1 });
  });
});
