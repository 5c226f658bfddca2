import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, startEndlessAnswerServer, startFakePagerDuty, type FakePagerDuty } from '@herald/test-harness';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/sink-harness.ts';
import { pagerdutyTemplateSchema } from './pagerduty.config.ts';

let pd: FakePagerDuty;
let sink: TestSink;
let service: { token: string; from: string; apiURL: string };
beforeAll(async () => {
  pd = await startFakePagerDuty();
  service = { token: pd.token, from: 'oncall@example.com', apiURL: pd.url };
  sink = await startSink();
});
afterAll(async () => {
  await sink?.handle.stop();
  await pd?.close();
});
beforeEach(() => pd.reset());

const block = { title: 'web is Degraded', body: 'Deployment shop/web has 0 of 3 replicas', urgency: 'high', priorityId: 'PPRIO01' };

describe('the request', () => {
  it('posts the incident to /incidents on the service the recipient names, with the token, From, the v2 Accept, incident_key the idempotency key', async () => {
    await sink.send(notification('PSERV01', block), service);
    expect(pd.requests).toHaveLength(1);
    const [request] = pd.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/incidents',
      status: 201,
      headers: { authorization: `Token token=${pd.token}`, from: 'oncall@example.com', accept: 'application/vnd.pagerduty+json;version=2', 'content-type': 'application/json' },
    });
    expect(request!.body).toEqual({
      incident: {
        type: 'incident',
        title: 'web is Degraded',
        service: { id: 'PSERV01', type: 'service_reference' },
        incident_key: 'f3b2c1d0e9a8',
        urgency: 'high',
        priority: { id: 'PPRIO01', type: 'priority_reference' },
        body: { type: 'incident_body', details: 'Deployment shop/web has 0 of 3 replicas' },
      },
    });
  });

  it("leaves out empty fields, and takes the service's serviceId when the subscription names no service", async () => {
    await sink.send(notification('', { title: 't', urgency: '', priorityId: '', body: '' }), { ...service, serviceId: 'PSERV02' });
    expect(pd.requests[0]!.body).toEqual({ incident: { type: 'incident', title: 't', service: { id: 'PSERV02', type: 'service_reference' }, incident_key: 'f3b2c1d0e9a8' } });
  });

  it('a redelivery does not open a second incident: PagerDuty refuses the key, which counts as delivered', async () => {
    await sink.send(notification('PSERV01', block), service);
    await sink.send(notification('PSERV01', block), service);
    expect(pd.incidents()).toHaveLength(1);
    expect(pd.requests.map((r) => r.status)).toEqual([201, 400]);
    expect(sink.logger.text()).toContain('already open');
  });
});

describe('what PagerDuty refuses', () => {
  it('a token PagerDuty does not know is permanent (401), and the token shows nowhere', async () => {
    const wrong = 'u+WrongRestToken-7781';
    const err = await rejection(sink.send(notification('PSERV01', block), { ...service, token: wrong }));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT', message: expect.stringContaining('PagerDuty answered 401: Unauthorized') });
    expect([err.message, err.stack, sink.logger.text()].join('\n')).not.toContain(wrong);
  });

  it('an unknown service, a bad urgency or a missing From are permanent, with PagerDuty message and errors', async () => {
    const unknown = await rejection(sink.send(notification('PNOPE', block), service));
    expect(unknown).toMatchObject({ retryable: false, message: expect.stringContaining('incident on service PNOPE: PagerDuty answered 400: Invalid Input Provided: Service not found') });
    const urgency = await rejection(sink.send(notification('PSERV01', { ...block, urgency: 'urgent' }), service));
    expect(urgency.message).toContain("Urgency must be 'high' or 'low'");
    const noFrom = await rejection(sink.send(notification('PSERV01', block), { token: pd.token, apiURL: pd.url }));
    expect(noFrom).toMatchObject({ retryable: false, message: expect.stringContaining('From header is missing or invalid') });
  });

  it('no service id at all is permanent without a request', async () => {
    expect(await rejection(sink.send(notification('', block), service))).toMatchObject({ retryable: false, message: expect.stringContaining('no PagerDuty service id') });
    expect(pd.requests).toHaveLength(0);
  });
});

describe('what may pass later', () => {
  it('429 is retryable after the rate window', async () => {
    pd.behave({ throttle: 20 });
    const err = await rejection(sink.send(notification('PSERV01', block), service));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 20_000, message: expect.stringContaining('PagerDuty answered 429: Rate Limit Exceeded') });
  });

  it('5xx, no answer within timeout, and no server are retryable', async () => {
    pd.behave('http-500');
    expect(await rejection(sink.send(notification('PSERV01', block), service))).toMatchObject({ retryable: true, message: expect.stringContaining('PagerDuty answered 500') });
    pd.behave('hang');
    expect(await rejection(sink.send(notification('PSERV01', block), { ...service, timeout: '200ms' }))).toMatchObject({ retryable: true, message: expect.stringContaining('no answer within 200 ms') });
    expect(await rejection(sink.send(notification('PSERV01', block), { ...service, apiURL: 'http://127.0.0.1:9' }))).toMatchObject({ retryable: true });
  });
  it('an error answer whose body never ends is read no further than its start: retryable, with that start', async () => {
    const endless = await startEndlessAnswerServer(502);
    try {
      const err = await rejection(sink.send(notification('PSERV01', block), { ...service, apiURL: endless.url, timeout: '60s' }));
      expect(err).toMatchObject({ retryable: true, message: expect.stringContaining('PagerDuty answered 502: xxxx') });
      await eventually(async () => expect(endless.cutOff()).toBe(1));
      expect(endless.bytesSent()).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await endless.close();
    }
  });
});

it('the template block schema takes Argo fields and refuses unknown ones', () => {
  expect(pagerdutyTemplateSchema.safeParse(block).success).toBe(true);
  expect(pagerdutyTemplateSchema.safeParse({ title: 'x', priorityID: 'P' }).success).toBe(false);
});
