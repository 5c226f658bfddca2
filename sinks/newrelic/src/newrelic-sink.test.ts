import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCuttingEcho, startFakeNewrelic, type FakeNewrelic } from '@herald/test-harness';
import { newrelicTemplateSchema } from './newrelic.config.ts';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/newrelic-harness.ts';

const APP = '123456789';
const block = { revision: '2ca1a7d', changelog: 'Bump web to 1.4.2', description: 'web synced', user: 'jane@example.com' };

let api: FakeNewrelic;
let sink: TestSink;
let service: { apiKey: string; apiURL: string };

beforeAll(async () => {
  api = await startFakeNewrelic();
  service = { apiKey: api.apiKey, apiURL: api.apiUrl };
  sink = await startSink();
});
afterAll(async () => {
  await sink.handle.stop();
  await api.close();
});
beforeEach(() => api.reset());

describe('the request New Relic receives', () => {
  it('the newrelic block: POST /v2/applications/<recipient>/deployments.json, X-Api-Key, {deployment:{…}}', async () => {
    await sink.send(notification(APP, 'ignored: the block has a description', block), service);
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request).toMatchObject({ method: 'POST', url: `/v2/applications/${APP}/deployments.json`, headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey } });
    expect(JSON.parse(request!.body)).toEqual({ deployment: block });
    expect(api.deployments()).toEqual([{ applicationId: APP, ...block }]);
  });

  it('without a description the message is the description; empty fields are left out, as Argo does', async () => {
    await sink.send(notification(APP, 'web-1 synced', { revision: 'abc', changelog: '', user: '' }), service);
    expect(JSON.parse(api.requests[0]!.body)).toEqual({ deployment: { revision: 'abc', description: 'web-1 synced' } });
  });

  it('a trailing slash in apiURL is dropped; the application id stays one path segment (New Relic: 404)', async () => {
    const err = await rejection(sink.send(notification('12/../34', 'x', { revision: 'abc' }), { ...service, apiURL: `${api.apiUrl}/` }));
    expect(api.requests[0]!.url).toBe('/v2/applications/12%2F..%2F34/deployments.json');
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('404: Application 12/../34 not found') });
  });

  it('no revision is permanent before any request, naming the template and what Argo defaulted it to', async () => {
    const err = await rejection(sink.send(notification(APP, 'x', { changelog: 'c' }), service));
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('template "pod-ready": newrelic.revision is empty') });
    expect(api.requests).toHaveLength(0);
  });

  it("a block without revision gets Argo's: the Argo CD Application's sync revision", () => {
    expect(newrelicTemplateSchema.parse({ changelog: 'c' })).toEqual({ revision: '{{.app.status.operationState.syncResult.revision}}', changelog: 'c' });
    expect(newrelicTemplateSchema.parse({ revision: '{{.rev}}' }).revision).toBe('{{.rev}}');
  });

  it('the default revision of a resource that is no Application (`<no value>`) is permanent, with no request', async () => {
    const err = await rejection(sink.send(notification(APP, 'x', { revision: '<no value>' }), service));
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('template "pod-ready": newrelic.revision is empty') });
    expect(api.requests).toHaveLength(0);
  });

  it('the template block is checked: a misspelt field is an error', () => {
    expect(newrelicTemplateSchema.safeParse({ revision: '{{.rev}}', changelog: 'x', description: 'y', user: 'z' }).success).toBe(true);
    expect(newrelicTemplateSchema.safeParse({ revison: '{{.rev}}' }).success).toBe(false);
  });
});

describe('what New Relic refuses (Argo ignored every answer)', () => {
  it.each([
    [404, 'Application 123456789 not found'],
    [422, "Validation failed: Revision can't be blank"],
    [403, 'Access to this resource is forbidden'],
  ])('%i is permanent with New Relic’s title, after one request', async (status, title) => {
    api.behave({ status, title }, APP);
    const err = await rejection(sink.send(notification(APP, 'x', block), service));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT', message: `newrelic "newrelic": deployment marker for application ${APP}: New Relic answered ${status}: ${title}` });
    expect(api.requests).toHaveLength(1);
  });

  it('a wrong key is 401, permanent, and the key is in no error, cause or log line', async () => {
    const wrong = 'NRAK-WRONGWRONG0123456789';
    const err = await rejection(sink.send(notification(APP, 'x', block), { ...service, apiKey: wrong }, { secrets: [wrong] }));
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('New Relic answered 401: The API key provided is invalid') });
    expect([err.message, err.stack, String(err.cause), sink.logger.text()].join('\n')).not.toContain(wrong);
  });
});

describe('what may pass later', () => {
  it('429 with Retry-After is retryable after it', async () => {
    api.behave({ throttle: 30 }, APP);
    expect(await rejection(sink.send(notification(APP, 'x', block), service))).toMatchObject({ retryable: true, retryAfterMs: 30_000 });
  });

  it('500 is retryable', async () => {
    api.behave('http-500', APP);
    expect(await rejection(sink.send(notification(APP, 'x', block), service))).toMatchObject({ retryable: true, message: expect.stringContaining('New Relic answered 500') });
  });

  it('an API that never answers is cut by the service timeout', async () => {
    api.behave('hang', APP);
    expect(await rejection(sink.send(notification(APP, 'x', block), { ...service, timeout: '200ms' }))).toMatchObject({ retryable: true, message: `newrelic "newrelic": deployment marker for application ${APP}: no answer within 200 ms` });
  });
});

it('a refusal that echoes the API key where the error cuts its text shows none of it', async () => {
  const echo = await startCuttingEcho(api.apiKey);
  try {
    const err = await rejection(sink.send(notification(APP, 'x', { revision: 'abc' }), { ...service, apiURL: echo.origin }));
    expect(err.message).not.toContain(echo.firstHalf);
  } finally {
    await echo.close();
  }
});
