import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf, sampleNotificationTo, startTestSink, type TestSink } from '@herald/plugin-testing';
import { startFakeTeamsWorkflows, type FakeTeamsWorkflows, type WorkflowsBehaviour } from '@herald/test-harness';
import type { NotificationData } from '@herald/plugin-sdk';
import workflows from './teams-workflows-sink.ts';
import { teamsWorkflowsServiceConfigSchema, type TeamsWorkflowsServiceConfigInput } from './teams-workflows.config.ts';

let api: FakeTeamsWorkflows;
let sink: TestSink<typeof teamsWorkflowsServiceConfigSchema>;

beforeAll(async () => {
  api = await startFakeTeamsWorkflows();
  sink = await startTestSink(workflows);
});
afterAll(async () => {
  await sink?.handle.stop();
  await api?.close();
});
afterEach(() => api.reset());

const notification = (rendered: Record<string, unknown>, recipient = 'ops'): NotificationData =>
  sampleNotificationTo('teams-workflows', recipient, rendered, { template: 'app-synced' });

const send = (n: NotificationData, service: TeamsWorkflowsServiceConfigInput = { recipientUrls: { ops: api.workflowUrl('ops') } }) => sink.send(n, service, { secrets: [] });

const refusal = rejectionOf;

const ENVELOPE = '{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":';

describe('teams-workflows sink: the request Argo sends', () => {
  it('posts the Adaptive Card Argo builds from the teams fields, byte for byte, in the message envelope', async () => {
    await send(
      notification({
        message: 'Application web is synced',
        'teams-workflows': {
          title: 'Synced <web>',
          summary: 'unused, as in Argo',
          themeColor: 'Good',
          facts: '[{"name":"Sync","value":"Synced"},{"name":"Replicas","value":3},{"name":"Pods","value":1000000},{"value":"no name"}]',
          sections: '[{"facts":[{"name":"Health","value":"Healthy"}]},{"activityTitle":"no facts"}]',
          potentialAction: '[{"@type":"OpenUri","name":"Open","targets":[{"os":"default","uri":"https://argo.example.com/applications/web"}]},{"@type":"HttpPOST","name":"Sync"}]',
        },
      }),
    );
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request!.method).toBe('POST');
    expect(`${api.origin}${request!.url}`).toBe(api.workflowUrl('ops'));
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toBe(
      `${ENVELOPE}{"type":"AdaptiveCard","version":"1.4","body":[` +
        '{"type":"TextBlock","text":"Synced \\u003cweb\\u003e","size":"Large","weight":"Bolder","color":"Good","wrap":true},' +
        '{"type":"TextBlock","text":"Application web is synced","wrap":true},' +
        '{"type":"FactSet","facts":[{"title":"Sync","value":"Synced"},{"title":"Replicas","value":"3"},{"title":"Pods","value":"1e+06"}]},' +
        '{"type":"FactSet","facts":[{"title":"Health","value":"Healthy"}]}],' +
        '"actions":[{"type":"Action.OpenUrl","title":"Open","url":"https://argo.example.com/applications/web"}]}}]}',
    );
    expect(api.cards).toHaveLength(1);
  });

  it('sends the message alone as one TextBlock, and an empty body for no text at all', async () => {
    await send(notification({ message: 'Pod web-1 is ready' }));
    await send(notification({}));
    expect(api.requests.map((r) => r.body)).toEqual([
      `${ENVELOPE}{"type":"AdaptiveCard","version":"1.4","body":[{"type":"TextBlock","text":"Pod web-1 is ready","wrap":true}]}}]}`,
      `${ENVELOPE}{"type":"AdaptiveCard","version":"1.4","body":[]}}]}`,
    ]);
  });

  it('wraps a rendered adaptiveCard as written, compacted and HTML-escaped as Go writes it', async () => {
    const card = '\n{\n  "type": "AdaptiveCard", "version": "1.5",\n  "body": [ {"type": "TextBlock", "text": "a & b", "size": 1.0} ]\n}\n';
    await send(notification({ message: 'm', 'teams-workflows': { adaptiveCard: card, title: 'ignored' } }));
    expect(api.requests[0]!.body).toBe(`${ENVELOPE}{"type":"AdaptiveCard","version":"1.5","body":[{"type":"TextBlock","text":"a \\u0026 b","size":1.0}]}}]}`);
  });

  it('refuses an adaptiveCard that is not JSON, naming the field, and sends nothing', async () => {
    const err = await refusal(send(notification({ 'teams-workflows': { adaptiveCard: '{"type": ' } })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^template "app-synced": teams-workflows\.adaptiveCard is not valid JSON after rendering/);
    expect(api.requests).toHaveLength(0);
  });

  it.each([
    ['http://flows.example.com/powerautomate/automations/direct/workflows/1/triggers/manual/paths/invoke', 'the URL must use https'],
    ['https://hooks.example.com/services/abc', 'the URL does not look like a Teams Workflows (Power Automate) URL'],
  ])('refuses %s as Argo does, without quoting it', async (url, problem) => {
    const err = await refusal(send(notification({ message: 'm' }), { recipientUrls: { ops: url } }));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`teams-workflows "teams-workflows": recipient "ops": ${problem}`);
    expect(err.message).not.toContain(new URL(url).host);
    expect(api.requests).toHaveLength(0);
  });
});

describe('teams-workflows sink: what Power Automate answers', () => {
  const cases: { behaviour: WorkflowsBehaviour; retryable: boolean; retryAfterMs?: number; text: string }[] = [
    { behaviour: 'http-500', retryable: true, text: 'Power Automate answered HTTP 500: InternalServerError: Encountered internal server error.' },
    { behaviour: 'deleted', retryable: false, text: 'Power Automate answered HTTP 404: WorkflowNotFound: The workflow' },
    { behaviour: { throttle: 7 }, retryable: true, retryAfterMs: 7_000, text: 'Power Automate answered HTTP 429: WorkflowRequestsThrottled: Number of requests' },
  ];
  it.each(cases)('$behaviour: retryable $retryable, with its code and message', async ({ behaviour, retryable, retryAfterMs, text }) => {
    api.behave(behaviour);
    const err = await refusal(send(notification({ message: 'm' })));
    expect(err.retryable).toBe(retryable);
    expect(err.retryAfterMs).toBe(retryAfterMs);
    expect(err.message).toContain(`teams-workflows "teams-workflows": POST for recipient "ops" to ${api.origin}: ${text}`);
  });

  it('takes a wrong signature as permanent, and shows neither the signature nor the workflow id', async () => {
    const url = api.workflowUrl('ops').replace(/sig=[^&]+/, 'sig=bm90LXRoZS1yaWdodC1zaWduYXR1cmU');
    const err = await refusal(send(notification({ message: 'm' }), { recipientUrls: { ops: url } }));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('Power Automate answered HTTP 401: DirectApiInvalidAuthorizationSignature');
    const seen = [err.message, sink.logger.text()].join('\n');
    for (const part of ['bm90LXRoZS1yaWdodC1zaWduYXR1cmU', new URL(url).pathname.split('/')[5]!, new URL(api.workflowUrl('ops')).searchParams.get('sig')!]) expect(seen).not.toContain(part);
  });
});
