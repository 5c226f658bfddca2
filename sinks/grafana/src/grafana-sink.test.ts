import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCuttingEcho, startFakeGrafana, type FakeGrafana } from '@herald/test-harness';
import { annotationsUrl } from './grafana-annotation.ts';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/grafana-harness.ts';

const NOON = Date.parse('2026-01-01T12:00:00Z');

let api: FakeGrafana;
let sink: TestSink;
let service: { apiUrl: string; apiKey: string };

beforeAll(async () => {
  api = await startFakeGrafana();
  service = { apiUrl: api.apiUrl, apiKey: api.apiKey };
  sink = await startSink();
});
afterAll(async () => {
  await sink.handle.stop();
  await api.close();
});
beforeEach(() => api.reset());

describe('the request Grafana receives', () => {
  it('recipient `argocd|web`: POST /api/annotations, bearer key, {time, isRegion:false, tags, text}', async () => {
    await sink.send(notification('argocd|web', 'web-1 synced'), service);
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/api/annotations', headers: { 'content-type': 'application/json', authorization: `Bearer ${api.apiKey}` } });
    expect(JSON.parse(request!.body)).toEqual({ time: NOON, isRegion: false, tags: ['argocd', 'web'], text: 'web-1 synced' });
    expect(api.annotations()).toEqual([{ id: 1, time: NOON, isRegion: false, tags: ['argocd', 'web'], text: 'web-1 synced' }]);
  });

  it('the time is when the change was observed, whole seconds, so a retry does not move it', async () => {
    await sink.send(notification('argocd', 'x', { observedAt: '2025-12-31T23:59:58.400Z' }), service);
    expect(JSON.parse(api.requests[0]!.body)).toMatchObject({ time: Date.parse('2025-12-31T23:59:58Z') });
  });

  it('no recipient: no tags (Argo sends [""])', async () => {
    await sink.send(notification('', 'x'), service);
    expect(JSON.parse(api.requests[0]!.body)).toMatchObject({ tags: [] });
  });

  it.each([
    ['https://grafana.example.com/api', 'https://grafana.example.com/api/annotations'],
    ['https://grafana.example.com/api/', 'https://grafana.example.com/api/annotations'],
    ['https://example.com/grafana/api', 'https://example.com/grafana/api/annotations'],
  ])('apiUrl %s posts to %s', (apiUrl, url) => {
    expect(annotationsUrl(apiUrl)).toBe(url);
  });
});

describe('what Grafana refuses', () => {
  it('an empty message is sent, as Argo does, and Grafana’s 400 is permanent with its message; the log says why', async () => {
    const err = await rejection(sink.send(notification('argocd', ''), service));
    expect(err).toMatchObject({ retryable: false, message: 'grafana "grafana": annotation tagged argocd: Grafana answered 400: Failed to save annotation' });
    expect(sink.logger.text()).toContain('grafana annotation text is empty');
  });

  it.each([
    [403, 'You\'ll need additional permissions to perform this action. Permissions needed: annotations:create'],
    [404, 'Not found'],
  ])('%i is permanent with Grafana’s message, after one request', async (status, message) => {
    api.behave({ status, message }, 'argocd');
    const err = await rejection(sink.send(notification('argocd', 'x'), service));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT', message: `grafana "grafana": annotation tagged argocd: Grafana answered ${status}: ${message}` });
    expect(api.requests).toHaveLength(1);
  });

  it('a wrong key is 401, permanent, and the key is in no error, cause or log line', async () => {
    const wrong = 'glsa_wrongWrongWrong_0123456789';
    const err = await rejection(sink.send(notification('argocd', 'x'), { ...service, apiKey: wrong }, { secrets: [wrong] }));
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('Grafana answered 401: invalid API key') });
    expect([err.message, err.stack, String(err.cause), sink.logger.text()].join('\n')).not.toContain(wrong);
  });
});

describe('what may pass later', () => {
  it('429 with Retry-After is retryable after it', async () => {
    api.behave({ throttle: 4 }, 'argocd');
    expect(await rejection(sink.send(notification('argocd', 'x'), service))).toMatchObject({ retryable: true, retryAfterMs: 4_000 });
  });

  it('500 is retryable', async () => {
    api.behave('http-500', 'argocd');
    expect(await rejection(sink.send(notification('argocd', 'x'), service))).toMatchObject({ retryable: true, message: expect.stringContaining('Grafana answered 500: Failed to save annotation') });
  });

  it('a Grafana that never answers is cut by the service timeout', async () => {
    api.behave('hang', 'argocd');
    expect(await rejection(sink.send(notification('argocd', 'x'), { ...service, timeout: '200ms' }))).toMatchObject({ retryable: true, message: 'grafana "grafana": annotation tagged argocd: no answer within 200 ms' });
  });
});

it('a refusal that echoes the API key where the error cuts its text shows none of it', async () => {
  const echo = await startCuttingEcho(api.apiKey);
  try {
    const err = await rejection(sink.send(notification('argocd', 'x'), { ...service, apiUrl: echo.origin }));
    expect(err.message).not.toContain(echo.firstHalf);
  } finally {
    await echo.close();
  }
});
