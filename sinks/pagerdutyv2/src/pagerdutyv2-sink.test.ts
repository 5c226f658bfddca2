import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, startEndlessAnswerServer, startFakePagerDuty, type FakePagerDuty } from '@herald/test-harness';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/sink-harness.ts';
import { pagerdutyv2TemplateSchema } from './pagerdutyv2.config.ts';

let pd: FakePagerDuty;
let sink: TestSink;
let service: { serviceKeys: Record<string, string>; apiURL: string };
beforeAll(async () => {
  pd = await startFakePagerDuty();
  service = { serviceKeys: { 'team-shop': pd.routingKeys[0]!, 'team-ops': pd.routingKeys[1]! }, apiURL: pd.url };
  sink = await startSink();
});
afterAll(async () => {
  await sink?.handle.stop();
  await pd?.close();
});
beforeEach(() => pd.reset());

const block = { summary: 'web is Degraded', severity: 'critical', source: 'shop/web', component: 'web', group: 'shop', class: 'deploy', url: 'https://argocd.example.com/applications/web' };

describe('the request', () => {
  it('posts a trigger event to /v2/enqueue with the routing key the recipient names, the block in payload, dedup_key the idempotency key', async () => {
    await sink.send(notification('team-ops', block), service);
    expect(pd.requests).toHaveLength(1);
    expect(pd.requests[0]).toMatchObject({ method: 'POST', path: '/v2/enqueue', status: 202, headers: { 'content-type': 'application/json' } });
    expect(pd.requests[0]!.body).toEqual({
      routing_key: pd.routingKeys[1],
      event_action: 'trigger',
      dedup_key: 'f3b2c1d0e9a8',
      payload: { summary: 'web is Degraded', source: 'shop/web', severity: 'critical', component: 'web', group: 'shop', class: 'deploy' },
      client: 'Herald',
      client_url: 'https://argocd.example.com/applications/web',
    });
  });

  it("leaves out empty optional fields and takes the block's dedupKey when it sets one", async () => {
    await sink.send(notification('team-shop', { summary: 's', severity: 'info', source: 'x', component: '', url: '', dedupKey: 'web-degraded' }), service);
    expect(pd.requests[0]!.body).toEqual({ routing_key: pd.routingKeys[0], event_action: 'trigger', dedup_key: 'web-degraded', payload: { summary: 's', source: 'x', severity: 'info' }, client: 'Herald' });
  });

  it('a redelivery updates the alert it opened instead of opening a second one', async () => {
    await sink.send(notification('team-shop', block), service);
    await sink.send(notification('team-shop', block), service);
    expect(pd.events()).toHaveLength(2);
    expect([...pd.openAlerts().keys()]).toEqual(['f3b2c1d0e9a8']);
  });
});

describe('what PagerDuty refuses', () => {
  it('an invalid event is permanent, with PagerDuty message and errors, after one request', async () => {
    const err = await rejection(sink.send(notification('team-shop', { ...block, severity: 'sev1' }), service));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toContain("PagerDuty answered 400: Event object is invalid: 'payload.severity' is invalid");
    expect(pd.requests).toHaveLength(1);
  });

  it('a routing key PagerDuty does not know is permanent, and the key shows nowhere', async () => {
    const wrong = 'WR0NGKEY000000000000000000000099';
    const err = await rejection(sink.send(notification('team-shop', block), { ...service, serviceKeys: { 'team-shop': wrong } }));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toContain('Invalid routing key');
    expect([err.message, err.stack, sink.logger.text()].join('\n')).not.toContain(wrong);
  });

  it('a recipient without a routing key is permanent without a request, naming the ones there are', async () => {
    const err = await rejection(sink.send(notification('team-web', block), service));
    expect(err).toMatchObject({ retryable: false, message: 'pagerdutyv2 "pagerduty": no routing key for recipient "team-web" in serviceKeys (it has: team-shop, team-ops)' });
    expect(pd.requests).toHaveLength(0);
  });
});

describe('what may pass later', () => {
  it('429 is retryable after its Retry-After', async () => {
    pd.behave({ throttle: 30 });
    const err = await rejection(sink.send(notification('team-shop', block), service));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 30_000 });
    expect(err.message).toContain('PagerDuty answered 429: Requests for this service are arriving too quickly');
  });

  it('5xx, no answer within timeout, and no server are retryable', async () => {
    pd.behave('http-500');
    expect(await rejection(sink.send(notification('team-shop', block), service))).toMatchObject({ retryable: true, message: expect.stringContaining('PagerDuty answered 500') });
    pd.behave('hang');
    expect(await rejection(sink.send(notification('team-shop', block), { ...service, timeout: '200ms' }))).toMatchObject({ retryable: true, message: expect.stringContaining('no answer within 200 ms') });
    expect(await rejection(sink.send(notification('team-shop', block), { ...service, apiURL: 'http://127.0.0.1:9' }))).toMatchObject({ retryable: true });
  });
  it('an error answer whose body never ends is read no further than its start: retryable, with that start', async () => {
    const endless = await startEndlessAnswerServer(502);
    try {
      const err = await rejection(sink.send(notification('team-shop', block), { ...service, apiURL: endless.url, timeout: '60s' }));
      expect(err).toMatchObject({ retryable: true, message: expect.stringContaining('PagerDuty answered 502: xxxx') });
      await eventually(async () => expect(endless.cutOff()).toBe(1));
      expect(endless.bytesSent()).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await endless.close();
    }
  });
});

it('the template block schema takes Argo fields and refuses unknown ones', () => {
  expect(pagerdutyv2TemplateSchema.safeParse({ ...block, dedupKey: '{{.app.metadata.name}}' }).success).toBe(true);
  expect(pagerdutyv2TemplateSchema.safeParse({ summry: 'x' }).success).toBe(false);
});
