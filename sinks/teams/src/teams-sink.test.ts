import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf, sampleNotificationTo, startTestSink, type TestSink } from '@herald/plugin-testing';
import { startFakeTeams, startRecordingServer, type FakeTeams, type TeamsBehaviour } from '@herald/test-harness';
import type { NotificationData } from '@herald/plugin-sdk';
import teams from './teams-sink.ts';
import { teamsServiceConfigSchema, type TeamsServiceConfigInput } from './teams.config.ts';

let api: FakeTeams;
let sink: TestSink<typeof teamsServiceConfigSchema>;

beforeAll(async () => {
  api = await startFakeTeams();
  sink = await startTestSink(teams);
});
afterAll(async () => {
  await sink?.handle.stop();
  await api?.close();
});
afterEach(() => api.reset());

const notification = (rendered: Record<string, unknown>, recipient = 'ops'): NotificationData =>
  sampleNotificationTo('teams', recipient, rendered, { template: 'app-deployed' });

const send = (n: NotificationData, service: TeamsServiceConfigInput = { recipientUrls: { ops: api.webhookUrl('ops') } }, secrets: string[] = []) => sink.send(n, service, { secrets });

const refusal = rejectionOf;

describe('teams sink: the request Argo sends', () => {
  it('posts the MessageCard Argo builds from the teams block, byte for byte, to the recipient’s webhook', async () => {
    await send(
      notification({
        message: 'Application web is synced',
        teams: {
          title: 'Deployed <web> & more',
          summary: 'web synced',
          themeColor: '#000080',
          facts: '[{"value":"Synced","name":"Sync Status"}]',
          sections: '[{"markdown":true,"activityTitle":"web"}]',
          potentialAction: '[{"@type":"OpenUri","name":"Open","targets":[{"uri":"https://argo.example.com/applications/web","os":"default"}]}]',
        },
      }),
    );
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request!.method).toBe('POST');
    expect(`${api.origin}${request!.url}`).toBe(api.webhookUrl('ops'));
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toBe(
      '{"@type":"MessageCard","context":"https://schema.org/extensions","title":"Deployed \\u003cweb\\u003e \\u0026 more","summary":"web synced","text":"Application web is synced","themeColor":"#000080",' +
        '"potentialAction":[{"@type":"OpenUri","name":"Open","targets":[{"os":"default","uri":"https://argo.example.com/applications/web"}]}],' +
        '"sections":[{"activityTitle":"web","markdown":true},{"facts":[{"name":"Sync Status","value":"Synced"}]}]}',
    );
    expect(api.cards).toEqual([{ channel: 'ops', card: JSON.parse(request!.body) }]);
  });

  it('sends the message alone as a card with empty title and summary, as Argo does', async () => {
    await send(notification({ message: 'Pod web-1 is ready' }));
    expect(api.requests[0]!.body).toBe('{"@type":"MessageCard","context":"https://schema.org/extensions","title":"","summary":"","text":"Pod web-1 is ready"}');
  });

  it('posts a rendered teams.template as the whole body, unchanged; teams.text wins over the message', async () => {
    const template = '{"@type": "MessageCard", "text": "custom card"}\n';
    await send(notification({ message: 'm', teams: { template, text: 'ignored' } }));
    await send(notification({ message: 'm', teams: { text: 'from the block' } }));
    expect(api.requests.map((r) => r.body)).toEqual([template, '{"@type":"MessageCard","context":"https://schema.org/extensions","title":"","summary":"","text":"from the block"}']);
  });

  it('refuses a block that does not render to JSON lists, naming the field, and sends nothing', async () => {
    const err = await refusal(send(notification({ message: 'm', teams: { facts: '[{"name": "a",' } })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^template "app-deployed": teams\.facts is not valid JSON after rendering/);
    const notList = await refusal(send(notification({ message: 'm', teams: { sections: '{"a": 1}' } })));
    expect(notList.message).toBe('template "app-deployed": teams.sections must render to a JSON list of objects');
    expect(api.requests).toHaveLength(0);
  });

  it('refuses a recipient with no URL in recipientUrls, naming the ones there are', async () => {
    const err = await refusal(send(notification({ message: 'm' }, 'dev')));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('teams "teams": no webhook for recipient "dev" in recipientUrls (it has ops)');
    expect(api.requests).toHaveLength(0);
  });
});

describe('teams sink: what the connector answers', () => {
  const cases: { behaviour: TeamsBehaviour; retryable: boolean; retryAfterMs?: number; text: string }[] = [
    { behaviour: 'http-500', retryable: true, text: 'Teams answered HTTP 500: Internal Server Error' },
    { behaviour: 'gone', retryable: false, text: 'Teams answered HTTP 410: Connector configuration not found' },
    { behaviour: { throttle: 3 }, retryable: true, retryAfterMs: 3_000, text: 'Teams answered HTTP 429: Microsoft Teams endpoint returned HTTP error 429' },
    { behaviour: { throttle: 0 }, retryable: true, retryAfterMs: 5_000, text: 'Teams answered HTTP 429' },
    { behaviour: { failedInBody: 429 }, retryable: true, retryAfterMs: 5_000, text: 'Teams answered HTTP 200: Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429' },
    { behaviour: { failedInBody: 413 }, retryable: false, text: 'Teams answered HTTP 200: Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413' },
  ];
  it.each(cases)('$behaviour: retryable $retryable, with the connector’s text', async ({ behaviour, retryable, retryAfterMs, text }) => {
    api.behave(behaviour);
    const err = await refusal(send(notification({ message: 'm' })));
    expect(err.retryable).toBe(retryable);
    expect(err.retryAfterMs).toBe(retryAfterMs);
    expect(err.message).toContain(`teams "teams": POST for recipient "ops" to ${api.origin}: ${text}`);
  });

  it('takes a card Teams refuses for having neither summary nor text as permanent, with its text', async () => {
    const err = await refusal(send(notification({ message: 'm', teams: { template: '{"@type":"MessageCard","title":"only a title"}' } })));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('Teams answered HTTP 400: Summary or Text is required.');
  });
});

describe('teams sink: secrets', () => {
  it('never shows the webhook URL’s path or token, even when the server echoes it', async () => {
    const echo = await startRecordingServer((req) => ({ status: 400, body: `no connector at ${req.url} (${req.headers.host}${req.url})` }));
    try {
      const url = `${echo.origin}/webhookb2/3c1b2a90-1111-4222-8333-444455556666@tenant/IncomingWebhook/9f8e7d6c5b4a39281706f5e4d3c2b1a0/77aa88bb-cc11-4d22-8e33-ff4455667788`;
      const err = await refusal(send(notification({ message: 'm' }), { recipientUrls: { ops: url } }));
      const seen = [err.message, String(err.cause ?? ''), sink.logger.text()].join('\n');
      expect(err.message).toContain(`to ${echo.origin}: Teams answered HTTP 400: no connector at ***`);
      for (const part of ['9f8e7d6c5b4a39281706f5e4d3c2b1a0', '77aa88bb', '3c1b2a90']) expect(seen).not.toContain(part);
    } finally {
      await echo.close();
    }
  });
});
