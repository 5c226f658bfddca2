import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './__fixtures__/receiver.ts';
import { useSharedReceiver } from './__fixtures__/shared-receiver.ts';
import { notification, rejection } from './__fixtures__/sink-harness.ts';

const shared = useSharedReceiver();
let elsewhere: Receiver;
beforeAll(async () => {
  elsewhere = await startReceiver();
});
afterAll(() => elsewhere.close());

const post = notification({ webhook: { webhook: { method: 'POST', path: '/old', body: 'payload' } } });

describe('webhook sink: redirects to another origin (issue 12, break 6e)', () => {
  it('break 6e: does not follow a redirect to another origin with the service’s custom secret headers', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(307, { location: `${elsewhere.origin}/landing` }).end());
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, headers: [{ name: 'X-Api-Key', value: 'k3y' }] }, { secrets: ['k3y'] }));
    expect(shared.receiver.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toBe(
      `webhook "webhook": POST ${shared.receiver.origin}/old was redirected to another origin (${elsewhere.origin}/landing); not followed, as the request carries the service's credentials (headers, basicAuth): set the service url to the new location`,
    );
  });

  it('does not follow one with basic-auth credentials either', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(302, { location: `${elsewhere.origin}/landing` }).end());
    const sink = await shared.startSink();
    const err = await rejection(sink.send(post, { url: shared.receiver.origin, basicAuth: { username: 'u', password: 'p4ss' } }));
    expect(elsewhere.requests).toHaveLength(0);
    expect(err.message).toContain('was redirected to another origin');
  });

  it('follows one without credentials, as Argo does (a 303 as a GET without body)', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(303, { location: `${elsewhere.origin}/landing` }).end());
    const sink = await shared.startSink();
    await sink.send(post, { url: shared.receiver.origin });
    expect(elsewhere.requests.map((r) => [r.method, r.url, r.body, r.headers['idempotency-key']])).toEqual([['GET', '/landing', '', 'f3b2c1d0e9a8:7']]);
    elsewhere.requests.length = 0;
  });

  it('follows a redirect within the origin with the credentials', async () => {
    shared.receiver.respond((req, res) => (req.url === '/old' ? res.writeHead(308, { location: '/new' }).end() : res.end('ok')));
    const sink = await shared.startSink();
    await sink.send(post, { url: shared.receiver.origin, headers: [{ name: 'X-Api-Key', value: 'k3y' }] });
    expect(shared.receiver.requests.map((r) => [r.method, r.url, r.headers['x-api-key']])).toEqual([
      ['POST', '/old', 'k3y'],
      ['POST', '/new', 'k3y'],
    ]);
  });

  it('does not follow a redirect out of http and https', async () => {
    shared.receiver.respond((_req, res) => res.writeHead(302, { location: 'ftp://files.example/x' }).end());
    const sink = await shared.startSink();
    const err = await rejection(sink.send(notification({ message: 'm' }), { url: shared.receiver.origin }));
    expect(err).toMatchObject({ retryable: false, message: `webhook "webhook": GET ${shared.receiver.origin}/ was redirected to a ftp: URL; not followed` });
  });

  it('stops after 10 redirects, as Go does', async () => {
    shared.receiver.respond((req, res) => res.writeHead(302, { location: `${req.url}x` }).end());
    const sink = await shared.startSink();
    const err = await rejection(sink.send(notification({ message: 'm' }), { url: `${shared.receiver.origin}/a` }));
    expect(shared.receiver.requests).toHaveLength(11);
    expect(err).toMatchObject({ retryable: false, message: `webhook "webhook": GET ${shared.receiver.origin}/a stopped after 10 redirects` });
  });
});

describe('webhook sink: a rendered path stays below the service URL (issue 12)', () => {
  it.each(['/../../admin', '../admin', '/%2e%2e/%2E%2E/admin', '/x/../../admin'])('refuses the rendered path %j, naming the service, as a permanent error', async (path) => {
    const sink = await shared.startSink();
    const err = await rejection(sink.send(notification({ webhook: { api: { method: 'POST', path, body: 'b' } } }), { url: `${shared.receiver.origin}/hooks/v1` }, { name: 'api' }));
    expect(shared.receiver.requests).toHaveLength(0);
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toBe(`webhook "api": the template's path ${JSON.stringify(path)} leads outside the service URL's base path /hooks/v1; refused`);
  });

  it('allows `..` that stays below it', async () => {
    const sink = await shared.startSink();
    await sink.send(notification({ webhook: { webhook: { method: 'POST', path: '/a/../b', body: 'b' } } }), { url: `${shared.receiver.origin}/hooks/v1` });
    expect(shared.receiver.requests.map((r) => r.url)).toEqual(['/hooks/v1/b']);
  });
});
