import { isDeliveryError } from '@herald/plugin-sdk';
import { describe, expect, it } from 'vitest';
import { startReceiver } from './__fixtures__/receiver.ts';
import { useSharedReceiver } from './__fixtures__/shared-receiver.ts';
import { causes, notification, rejection } from './__fixtures__/sink-harness.ts';

const shared = useSharedReceiver();
const post = notification({ webhook: { webhook: { method: 'POST', path: '/hook', body: '{"ok":true}' } } });
// Retries without waiting, unless a test says otherwise.
const fast = { retryWaitMin: 0, retryWaitMax: '10ms' };

describe('webhook sink: refusals, retries, timeouts', () => {
  it('retries a 500 within retryMax: one success, two requests with the same Idempotency-Key', async () => {
    shared.receiver.respond((_req, res, i) => (i === 0 ? res.writeHead(500).end('busy') : res.end('ok')));
    const sink = await shared.startSink();
    await sink.send(post, { url: shared.receiver.origin, ...fast });
    expect(shared.receiver.requests).toHaveLength(2);
    expect(new Set(shared.receiver.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set(['f3b2c1d0e9a8:7']));
    expect(shared.receiver.requests.every((r) => r.body === '{"ok":true}')).toBe(true);
  });

  it('gives up after retryMax + 1 requests on a 500 with a retryable error naming status, request and body', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(500).end(`{"error":"database is down","detail":"${'x'.repeat(400)}"}`));
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, retryMax: 2, ...fast }));
    expect(shared.receiver.requests).toHaveLength(3);
    expect(isDeliveryError(err)).toBe(true);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`webhook "webhook": POST ${shared.receiver.origin}/hook answered 500 Internal Server Error: {"error":"database is down"`);
    expect(err.message).toContain('(3 attempts)');
    expect(err.message).not.toContain('x'.repeat(200)); // about 200 characters of the body, no more
  });

  it('does not retry a 404: permanent after one request', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(404).end('no such hook'));
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, ...fast }));
    expect(shared.receiver.requests).toHaveLength(1);
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toContain('answered 404 Not Found: no such hook');
  });

  const statuses: Array<[number, boolean]> = [
    [400, false], [401, false], [403, false], [404, false], [405, false], [408, true], [409, false], [410, false], [413, false],
    [422, false], [425, true], [429, true], [500, true], [501, false], [502, true], [503, true], [504, true], [301, false],
  ];
  it.each(statuses)('status %i is retryable: %s', async (status, retryable) => {
    shared.receiver.respond((_req, res) => res.writeHead(status).end());
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, retryMax: 0 }));
    expect(shared.receiver.requests).toHaveLength(1);
    expect(err.retryable).toBe(retryable);
    expect(err.message).toContain(`answered ${status}`);
  });

  it('honours Retry-After: 1 on a 429 before retrying', async () => {
    shared.receiver.respond((_req, res, i) => (i === 0 ? res.writeHead(429, { 'retry-after': '1' }).end('slow down') : res.end('ok')));
    const sink = await shared.startSink();
    await sink.send(post, { url: shared.receiver.origin, retryWaitMin: 0, retryWaitMax: '5s' });
    expect(shared.receiver.requests).toHaveLength(2);
    expect(shared.receiver.requests[1]!.at - shared.receiver.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('carries the last Retry-After as retryAfterMs when the retries run out', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(429, { 'retry-after': '1' }).end());
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, retryMax: 1, retryWaitMin: 0, retryWaitMax: '2s' }));
    expect(shared.receiver.requests).toHaveLength(2);
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 1_000 });
  });

  it('leaves a Retry-After longer than retryWaitMax to the bus: one request, retryAfterMs set', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(503, { 'retry-after': '120' }).end());
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, retryMax: 3, ...fast }));
    expect(shared.receiver.requests).toHaveLength(1);
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 120_000 });
  });

  it('retryMax 0 sends exactly one request', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(502).end());
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, retryMax: 0 }));
    expect(shared.receiver.requests).toHaveLength(1);
    expect(err.retryable).toBe(true);
    expect(err.message).not.toContain('attempts');
  });

  it('times out a server that never answers, as a retryable error', async () => {
    shared.receiver.respond(() => undefined);
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, retryMax: 1, timeout: '200ms', ...fast }));
    expect(shared.receiver.requests).toHaveLength(2);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('timed out: no complete response within 200 ms (2 attempts)');
  });

  it('takes the plugin-wide timeout when the service sets none', async () => {
    shared.receiver.respond(() => undefined);
    const sink = await shared.startSink({ timeout: '150ms' });
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, retryMax: 0 }));
    expect(err.message).toContain('within 150 ms');
  });

  it('treats a refused connection as retryable', async () => {
    const closed = await startReceiver();
    await closed.close();
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: closed.origin, retryMax: 1, ...fast }));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/failed: .*ECONNREFUSED.*\(2 attempts\)/);
  });

  it('rejects promptly with the abort reason in the cause chain when the signal aborts mid-request', async () => {
    shared.receiver.respond(() => undefined);
    const sink = await shared.startSink();
    const controller = new AbortController();
    const reason = new Error('Herald is shutting down');
    setTimeout(() => controller.abort(reason), 100);
    const started = Date.now();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, timeout: '30s' }, { signal: controller.signal }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(shared.receiver.requests).toHaveLength(1);
    expect(err.retryable).toBe(true);
    expect(causes(err)).toContain(reason);
  });

  it('stops waiting between retries when the signal aborts', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(500).end());
    const sink = await shared.startSink();
    const controller = new AbortController();
    const reason = new Error('delivery deadline');
    setTimeout(() => controller.abort(reason), 200);
    const started = Date.now();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, retryWaitMin: '30s', retryWaitMax: '60s' }, { signal: controller.signal }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(shared.receiver.requests).toHaveLength(1);
    expect(causes(err)).toContain(reason);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const sink = await shared.startSink();
    const reason = new Error('gone');
    const err = await rejection(sink.send(post, { url: shared.receiver.origin }, { signal: AbortSignal.abort(reason) }));
    expect(shared.receiver.requests).toHaveLength(0);
    expect(causes(err)).toContain(reason);
  });

  it('is permanent for a malformed template block and a method that is no HTTP token', async () => {
    const sink = await shared.startSink();
    const malformed = await rejection(sink.send(notification({ webhook: { webhook: { method: 42 } } }), { url: shared.receiver.origin }));
    expect(malformed).toMatchObject({ retryable: false });
    expect(malformed.message).toContain('webhook.webhook is malformed');
    const badMethod = await rejection(sink.send(notification({ webhook: { webhook: { method: 'GET /x' } } }), { url: shared.receiver.origin }));
    expect(badMethod).toMatchObject({ retryable: false });
    expect(badMethod.message).toContain('"GET /X" is not an HTTP method');
    expect(shared.receiver.requests).toHaveLength(0);
  });

  it('is permanent for service options that did not pass validation, naming the keys', async () => {
    const sink = await shared.startSink();
    const service = { type: 'webhook', name: 'github', config: { url: 'not a url', retryMax: 1, tokne: 'x' } as never };
    const err = await rejection(sink.handle.send(post, { attempt: 1, signal: new AbortController().signal, service }));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toContain('service.webhook.github.url: is not an absolute URL');
    expect(err.message).toContain('service.webhook.github.tokne: unknown key');
    expect(shared.receiver.requests).toHaveLength(0);
  });
});

describe('webhook sink: stop', () => {
  it('is idempotent, fails later sends as retryable, and ends a wait between retries at once', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(500).end());
    const sink = await shared.startSink();
    const waiting = rejection(sink.send(post, { url: shared.receiver.origin, retryWaitMin: '30s', retryWaitMax: '60s' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await Promise.all([sink.handle.stop(), sink.handle.stop()]);
    const err = await waiting;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err.retryable).toBe(true);
    expect(causes(err).some((e) => (e as Error).name === 'AbortError')).toBe(true);
    const after = await rejection(sink.send(post, { url: shared.receiver.origin }));
    expect(after.retryable).toBe(true);
    expect(after.message).toContain('stopped');
    await sink.handle.stop();
  });

  it('lets a request in flight finish within the drain time', async () => {
    shared.receiver.respond((_req, res) => setTimeout(() => res.end('ok'), 200));
    const sink = await shared.startSink({ drainTimeout: '5s' });
    const sending = sink.send(post, { url: shared.receiver.origin });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sink.handle.stop();
    await expect(sending).resolves.toBeUndefined();
  });

  it('cuts a request in flight after the drain time, as a retryable failure', async () => {
    shared.receiver.respond(() => undefined);
    const sink = await shared.startSink({ drainTimeout: '100ms' });
    const sending = rejection(sink.send(post, { url: shared.receiver.origin, timeout: '30s' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await sink.handle.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await sending).retryable).toBe(true);
  });
});
