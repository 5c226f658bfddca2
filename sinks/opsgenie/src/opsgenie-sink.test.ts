import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, startEndlessAnswerServer, startFakeOpsgenie, type FakeOpsgenie } from '@herald/test-harness';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/sink-harness.ts';
import { opsgenieServiceConfigSchema, opsgenieTemplateSchema } from './opsgenie.config.ts';

let og: FakeOpsgenie;
let sink: TestSink;
let service: { apiUrl: string; apiKeys: Record<string, string> };
beforeAll(async () => {
  og = await startFakeOpsgenie();
  service = { apiUrl: og.url, apiKeys: { ...og.apiKeys } };
  sink = await startSink();
});
afterAll(async () => {
  await sink?.handle.stop();
  await og?.close();
});
beforeEach(() => og.reset());

const block = {
  description: 'Deployment shop/web has 0 of 3 replicas',
  priority: 'P2',
  note: 'from Herald',
  actions: ['Restart', ''],
  tags: ['shop', 'web'],
  details: { namespace: 'shop', replicas: '0' },
  entity: 'web',
  visibleTo: [{ type: 'team', name: 'sre', id: '' }],
  user: 'herald',
};

describe('the request', () => {
  it("posts the alert to <apiUrl>/v2/alerts with the team's GenieKey, the block's fields, alias the idempotency key", async () => {
    await sink.send(notification('shop', block), service);
    expect(og.requests).toHaveLength(1);
    const [request] = og.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v2/alerts', status: 202, headers: { authorization: `GenieKey ${og.apiKeys.shop}`, 'content-type': 'application/json' } });
    expect(request!.body).toEqual({
      message: 'web is degraded',
      alias: 'f3b2c1d0e9a8',
      description: 'Deployment shop/web has 0 of 3 replicas',
      priority: 'P2',
      note: 'from Herald',
      entity: 'web',
      user: 'herald',
      actions: ['Restart', ''],
      tags: ['shop', 'web'],
      details: { namespace: 'shop', replicas: '0' },
      visibleTo: [{ type: 'team', name: 'sre' }],
      responders: [{ type: 'team', name: 'shop' }],
      source: 'Herald',
    });
  });

  it("takes the block's alias, names a team by id when the recipient is one, and sends the message alone without a block", async () => {
    const teamId = '4513b7ea-3b91-438f-b7e4-e3e54af9147c';
    await sink.send(notification('shop', { description: 'd', alias: 'web-degraded' }), service);
    await sink.send(notification(teamId, undefined), { ...service, apiKeys: { [teamId]: og.apiKeys.ops! } });
    expect(og.requests.map((r) => r.body)).toEqual([
      { message: 'web is degraded', alias: 'web-degraded', description: 'd', responders: [{ type: 'team', name: 'shop' }], source: 'Herald' },
      { message: 'web is degraded', alias: 'f3b2c1d0e9a8', responders: [{ type: 'team', id: teamId }], source: 'Herald' },
    ]);
  });

  it('a redelivery adds to the alert it created instead of creating a second one', async () => {
    await sink.send(notification('shop', block), service);
    await sink.send(notification('shop', block), service);
    expect(og.alerts()).toEqual([expect.objectContaining({ alias: 'f3b2c1d0e9a8', count: 2 })]);
  });

  it("apiUrl is a host as in Argo's docs (https:// added) or a URL", () => {
    expect(opsgenieServiceConfigSchema.parse({ apiUrl: 'api.eu.opsgenie.com', apiKeys: {} }).apiUrl).toBe('https://api.eu.opsgenie.com/');
    expect(opsgenieServiceConfigSchema.parse({ apiKeys: {} }).apiUrl).toBe('https://api.opsgenie.com/');
    expect(opsgenieServiceConfigSchema.parse({ apiUrl: 'http://127.0.0.1:8080/og', apiKeys: {} }).apiUrl).toBe('http://127.0.0.1:8080/og');
  });
});

describe('what Opsgenie refuses', () => {
  it('an unknown API key is permanent (401), with Opsgenie message and request id, and the key shows nowhere', async () => {
    const wrong = 'deadbeef-0000-4000-8000-00000000dead';
    const err = await rejection(sink.send(notification('shop', block), { ...service, apiKeys: { shop: wrong } }, { secrets: [wrong] }));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toMatch(/Opsgenie answered 401: Could not authenticate \(requestId [0-9a-f-]+\)/);
    expect([err.message, err.stack, sink.logger.text()].join('\n')).not.toContain(wrong);
  });

  it('a key without create access (403) and an invalid alert (422) are permanent with what Opsgenie said', async () => {
    const forbidden = await rejection(sink.send(notification('shop', block), { ...service, apiKeys: { shop: og.readOnlyKey } }));
    expect(forbidden).toMatchObject({ retryable: false, message: expect.stringContaining('Opsgenie answered 403: You are not authorized for this action') });
    const invalid = await rejection(sink.send(notification('shop', { ...block, priority: 'urgent' }), service));
    expect(invalid).toMatchObject({ retryable: false, message: expect.stringContaining('Opsgenie answered 422: Request body is not processable. Please check the errors. priority: Priority should be one of') });
    expect(og.requests).toHaveLength(2);
  });

  it('a block without description, and a team without an API key, are permanent without a request', async () => {
    expect(await rejection(sink.send(notification('shop', { priority: 'P1' }), service))).toMatchObject({ retryable: false, message: 'template "app-degraded": opsgenie.description is missing or rendered empty' });
    expect(await rejection(sink.send(notification('web', block), service))).toMatchObject({ retryable: false, message: 'opsgenie "opsgenie": no API key for team "web" in apiKeys (it has: shop, ops)' });
    expect(og.requests).toHaveLength(0);
  });
});

describe('what may pass later', () => {
  it("429 is retryable after Opsgenie's rate window (X-RateLimit-Period-In-Sec)", async () => {
    og.behave({ throttle: 60 });
    const err = await rejection(sink.send(notification('shop', block), service));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 60_000 });
    expect(err.message).toContain('Opsgenie answered 429: You are making too many requests!');
  });

  it('5xx, no answer within timeout, and no server are retryable', async () => {
    og.behave('http-500');
    expect(await rejection(sink.send(notification('shop', block), service))).toMatchObject({ retryable: true, message: expect.stringContaining('Opsgenie answered 500') });
    og.behave('hang');
    expect(await rejection(sink.send(notification('shop', block), { ...service, timeout: '200ms' }))).toMatchObject({ retryable: true, message: expect.stringContaining('no answer within 200 ms') });
    expect(await rejection(sink.send(notification('shop', block), { ...service, apiUrl: 'http://127.0.0.1:9' }))).toMatchObject({ retryable: true });
  });
  it('an error answer whose body never ends is read no further than its start: retryable, with that start', async () => {
    const endless = await startEndlessAnswerServer(502);
    try {
      const err = await rejection(sink.send(notification('shop', block), { ...service, apiUrl: endless.url, timeout: '60s' }));
      expect(err).toMatchObject({ retryable: true, message: expect.stringContaining('Opsgenie answered 502: xxxx') });
      await eventually(async () => expect(endless.cutOff()).toBe(1));
      expect(endless.bytesSent()).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await endless.close();
    }
  });
});

it('the template block schema takes Argo fields and refuses unknown ones', () => {
  expect(opsgenieTemplateSchema.safeParse(block).success).toBe(true);
  expect(opsgenieTemplateSchema.safeParse({ description: 'x', tag: [] }).success).toBe(false);
});
