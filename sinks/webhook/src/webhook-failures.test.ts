import { isDeliveryError } from '@herald/plugin-sdk';
import { describe, expect, it } from 'vitest';
import { startReceiver } from './__fixtures__/receiver.ts';
import { useSharedReceiver } from './__fixtures__/shared-receiver.ts';
import { causes, notification, rejection } from './__fixtures__/sink-harness.ts';
import webhook from './webhook-sink.ts';
import { webhookServiceConfigSchema } from './webhook.config.ts';

const shared = useSharedReceiver();
const post = notification({ webhook: { webhook: { method: 'POST', path: '/hook', body: '{"ok":true}' } } });

/** Resolves when the receiver got a request, which it leaves unanswered. */
function hangOnArrival(): Promise<void> {
  return new Promise((resolve) => shared.receiver.respond(() => resolve()));
}

describe('webhook sink: one request per send, its outcome classified', () => {
  it('makes exactly one request for a 500 and throws a retryable error naming status, request and body', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(500).end(`{"error":"database is down","detail":"${'x'.repeat(400)}"}`));
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, retryMax: 2 }));
    expect(shared.receiver.requests).toHaveLength(1);
    expect(isDeliveryError(err)).toBe(true);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`webhook "webhook": POST ${shared.receiver.origin}/hook answered 500 Internal Server Error: {"error":"database is down"`);
    expect(err.message).not.toContain('attempts');
    expect(err.message).not.toContain('x'.repeat(200)); // about 200 characters of the body, no more
  });

  it('sends the same Idempotency-Key on every attempt of a notification', async () => {
    shared.receiver.respond((_req, res, i) => (i === 0 ? res.writeHead(500).end('busy') : res.end('ok')));
    const sink = await shared.startSink();
    const service = { type: 'webhook', name: 'webhook', config: webhookServiceConfigSchema.parse({ url: shared.receiver.origin }) };
    await rejection(sink.handle.send(post, { attempt: 1, signal: new AbortController().signal, service }));
    await sink.handle.send(post, { attempt: 2, signal: new AbortController().signal, service });
    expect(shared.receiver.requests.map((r) => r.headers['idempotency-key'])).toEqual(['f3b2c1d0e9a8:7', 'f3b2c1d0e9a8:7']);
    expect(shared.receiver.requests.every((r) => r.body === '{"ok":true}')).toBe(true);
  });

  it('does not retry a 404: permanent', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(404).end('no such hook'));
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin }));
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
    const err = await rejection(sink.send(post, { url: shared.receiver.origin }));
    expect(shared.receiver.requests).toHaveLength(1);
    expect(err.retryable).toBe(retryable);
    expect(err.message).toContain(`answered ${status}`);
  });

  it.each([
    ['delay-seconds', '1', 1_000],
    ['a long delay', '120', 120_000],
  ])('carries Retry-After (%s) as retryAfterMs, for Herald to wait before the next attempt', async (_, header, ms) => {
    shared.receiver.respond((_req, res) => res.writeHead(429, { 'retry-after': header }).end('slow down'));
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, retryWaitMax: '1s' }));
    expect(shared.receiver.requests).toHaveLength(1);
    expect(err).toMatchObject({ retryable: true, retryAfterMs: ms });
  });

  it('times out a server that never answers, as a retryable error', async () => {
    shared.receiver.respond(() => undefined);
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, timeout: '200ms' }));
    expect(shared.receiver.requests).toHaveLength(1);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('timed out: no complete response within 200 ms');
  });

  it('takes the plugin-wide timeout when the service sets none', async () => {
    shared.receiver.respond(() => undefined);
    const sink = await shared.startSink({ timeout: '150ms' });
    const err = await rejection(sink.send(post, { url: shared.receiver.origin }));
    expect(err.message).toContain('within 150 ms');
  });

  it('treats a refused connection as retryable', async () => {
    const closed = await startReceiver();
    await closed.close();
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: closed.origin }));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/failed: .*ECONNREFUSED/);
  });

  it('ends a request in flight when the signal aborts, with the abort reason in the cause chain', async () => {
    const arrived = hangOnArrival();
    const sink = await shared.startSink();
    const controller = new AbortController();
    const reason = new Error('Herald is shutting down');
    const sending = rejection(sink.send(post, { url: shared.receiver.origin, timeout: '1h' }, { signal: controller.signal }));
    await arrived;
    controller.abort(reason);
    const err = await sending;
    expect(shared.receiver.requests).toHaveLength(1);
    expect(err.retryable).toBe(true);
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

describe('webhook sink: what it declares to Herald', () => {
  const policy = (service: Record<string, unknown>) => webhook.retryPolicy!(webhookServiceConfigSchema.parse({ url: 'http://h/', ...service }));

  it('turns Argo’s retryMax, retryWaitMin and retryWaitMax into the service’s retry policy', () => {
    expect(policy({})).toEqual({ maxAttempts: 4, backoffMinMs: 1_000, backoffMaxMs: 5_000 });
    expect(policy({ retryMax: 0, retryWaitMin: '10ms', retryWaitMax: '2m' })).toEqual({ maxAttempts: 1, backoffMinMs: 10, backoffMaxMs: 120_000 });
  });

  it('declares no rate limit of its own: a webhook can be any server', () => {
    expect(webhook.limits).toBeUndefined();
  });

  it('checks a template’s webhook block strictly, naming an unknown key', () => {
    expect(webhook.templateSchema!.safeParse({ github: { method: 'POST', path: '/x', body: '{{.app.metadata.name}}' } }).success).toBe(true);
    const typo = webhook.templateSchema!.safeParse({ github: { method: 'POST', bdy: 'x' } });
    expect(typo.success).toBe(false);
    expect(typo.error!.issues).toMatchObject([{ code: 'unrecognized_keys', keys: ['bdy'], path: ['github'] }]);
  });
});

describe('webhook sink: stop', () => {
  it('is idempotent and fails later sends as retryable', async () => {
    const sink = await shared.startSink();
    await Promise.all([sink.handle.stop(), sink.handle.stop()]);
    const after = await rejection(sink.send(post, { url: shared.receiver.origin }));
    expect(after.retryable).toBe(true);
    expect(after.message).toContain('stopped');
    expect(shared.receiver.requests).toHaveLength(0);
    await sink.handle.stop();
  });

  it('lets a request in flight finish within the drain time', async () => {
    let answer: (() => void) | undefined;
    const arrived = new Promise<void>((resolve) =>
      shared.receiver.respond((_req, res) => {
        answer = () => res.end('ok');
        resolve();
      }),
    );
    const sink = await shared.startSink({ drainTimeout: '1h' });
    const sending = sink.send(post, { url: shared.receiver.origin });
    await arrived;
    const stopping = sink.handle.stop();
    answer!();
    await stopping;
    await expect(sending).resolves.toBeUndefined();
  });

  it('cuts a request in flight after the drain time, as a retryable failure', async () => {
    const arrived = hangOnArrival();
    const sink = await shared.startSink({ drainTimeout: '100ms' });
    const sending = rejection(sink.send(post, { url: shared.receiver.origin, timeout: '1h' }));
    await arrived;
    await sink.handle.stop();
    expect((await sending).retryable).toBe(true);
  });
});
