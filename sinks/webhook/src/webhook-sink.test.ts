import { describe, expect, it } from 'vitest';
import { useSharedReceiver } from './__fixtures__/shared-receiver.ts';
import { notification } from './__fixtures__/sink-harness.ts';
import type { WebhookServiceConfigInput } from './webhook.config.ts';

const shared = useSharedReceiver();

describe('webhook sink: what the receiver gets', () => {
  it('delivers the reference scenario as exactly one GET /webhook/ with the body and the Idempotency-Key', async () => {
    const sink = await shared.startSink();
    await sink.send(notification({ message: 'ignored', webhook: { webhook: { method: 'GET', path: '/', body: 'Pod web-1 is ready!\n' } } }), { url: `${shared.receiver.origin}/webhook` });

    expect(shared.receiver.requests).toHaveLength(1);
    const [req] = shared.receiver.requests;
    expect(req).toMatchObject({ method: 'GET', url: '/webhook/', body: 'Pod web-1 is ready!\n' });
    expect(req!.headers['idempotency-key']).toBe('f3b2c1d0e9a8:7');
    expect(req!.headers['user-agent']).toBe('herald/0.1.0');
    // Argo sets no Content-Type; neither does Herald unless the service's headers do.
    expect(req!.headers['content-type']).toBeUndefined();
  });

  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  const cases: Array<{
    name: string;
    service: (origin: string) => WebhookServiceConfigInput;
    rendered: Record<string, unknown>;
    serviceName?: string;
    expected: { method: string; url: string; body: string; headers?: Record<string, string | undefined> };
  }> = [
    {
      name: 'POST with a JSON body and the headers from the service config',
      service: (o) => ({ url: `${o}/api`, headers: [{ name: 'Content-Type', value: 'application/json' }, { name: 'X-Team', value: 'platform' }] }),
      rendered: { message: 'm', webhook: { webhook: { method: 'POST', path: '/repos/acme/statuses', body: '{"state":"success"}' } } },
      expected: { method: 'POST', url: '/api/repos/acme/statuses', body: '{"state":"success"}', headers: { 'content-type': 'application/json', 'x-team': 'platform' } },
    },
    {
      name: 'basicAuth becomes an Authorization header',
      service: (o) => ({ url: o, basicAuth: { username: 'jenkins', password: 'api-key-1' } }),
      rendered: { webhook: { webhook: { method: 'POST', body: 'build' } } },
      expected: { method: 'POST', url: '/', body: 'build', headers: { authorization: basic('jenkins', 'api-key-1') } },
    },
    {
      name: 'basicAuth wins over an Authorization header, as in Argo',
      service: (o) => ({ url: o, headers: [{ name: 'Authorization', value: 'token abc' }], basicAuth: { username: 'u', password: 'p' } }),
      rendered: { webhook: { webhook: { method: 'PUT', body: 'x' } } },
      expected: { method: 'PUT', url: '/', body: 'x', headers: { authorization: basic('u', 'p') } },
    },
    {
      name: 'credentials in the URL are sent as basic auth, not in the request line',
      service: (o) => ({ url: o.replace('http://', 'http://bot:s%40fe@') + '/hook' }),
      rendered: { message: 'hello' },
      expected: { method: 'GET', url: '/hook', body: 'hello', headers: { authorization: basic('bot', 's@fe') } },
    },
    {
      name: 'the block of this service is chosen among several',
      serviceName: 'github',
      service: (o) => ({ url: o }),
      rendered: { message: 'm', webhook: { jenkins: { method: 'POST', path: '/job', body: 'j' }, github: { method: 'PATCH', path: '/status', body: 'g' } } },
      expected: { method: 'PATCH', url: '/status', body: 'g' },
    },
    {
      name: 'no block at all: the message is the body of a GET to the service URL',
      service: (o) => ({ url: `${o}/notify?channel=ops` }),
      rendered: { message: 'Pod web-1 is ready!' },
      expected: { method: 'GET', url: '/notify?channel=ops', body: 'Pod web-1 is ready!' },
    },
    {
      name: 'no block for this service (only for others): the message, as a GET',
      serviceName: 'ops',
      service: (o) => ({ url: `${o}/ops` }),
      rendered: { message: 'msg', webhook: { other: { method: 'POST', body: 'not mine' } } },
      expected: { method: 'GET', url: '/ops', body: 'msg' },
    },
    {
      name: 'a block without method is a GET; its empty body is sent empty, not replaced by the message',
      service: (o) => ({ url: o }),
      rendered: { message: 'msg', webhook: { webhook: { path: 'x' } } },
      expected: { method: 'GET', url: '/x', body: '', headers: { 'content-length': undefined } },
    },
    {
      name: 'a lower-case method is sent upper-case',
      service: (o) => ({ url: o }),
      rendered: { webhook: { webhook: { method: 'post', body: 'b' } } },
      expected: { method: 'POST', url: '/', body: 'b' },
    },
    {
      name: 'headers replace the User-Agent; a configured Idempotency-Key does not replace Herald’s',
      service: (o) => ({ url: o, headers: [{ name: 'user-agent', value: 'argocd-notifications' }, { name: 'Idempotency-Key', value: 'static' }, { name: 'X-A', value: '1' }, { name: 'x-a', value: '2' }] }),
      rendered: { message: 'm' },
      expected: { method: 'GET', url: '/', body: 'm', headers: { 'user-agent': 'argocd-notifications', 'idempotency-key': 'f3b2c1d0e9a8:7', 'x-a': '2' } },
    },
  ];

  it.each(cases)('$name', async ({ service, rendered, serviceName, expected }) => {
    const sink = await shared.startSink();
    const n = notification(rendered, serviceName ? { destination: { serviceType: 'webhook', service: serviceName, recipient: '' } } : {});
    await sink.send(n, service(shared.receiver.origin), { name: serviceName ?? 'webhook' });

    expect(shared.receiver.requests).toHaveLength(1);
    const [req] = shared.receiver.requests;
    expect({ method: req!.method, url: req!.url, body: req!.body }).toEqual({ method: expected.method, url: expected.url, body: expected.body });
    for (const [name, value] of Object.entries(expected.headers ?? {})) expect(req!.headers[name], name).toBe(value);
  });

  const paths: Array<[string, string | undefined, string]> = [
    ['/webhook', '/', '/webhook/'],
    ['/webhook/', '/', '/webhook/'],
    ['/webhook', 'status', '/webhook/status'],
    ['/webhook/', '//status', '/webhook/status'],
    ['', '/status', '/status'],
    ['/webhook', '', '/webhook'],
    ['/webhook', undefined, '/webhook'],
    ['/webhook', '/a/b?sha=123', '/webhook/a/b?sha=123'],
  ];
  it.each(paths)('url path %j joined with template path %j is requested as %j', async (base, path, requested) => {
    const sink = await shared.startSink();
    await sink.send(notification({ webhook: { webhook: { method: 'POST', ...(path === undefined ? {} : { path }), body: 'b' } } }), { url: `${shared.receiver.origin}${base}` });
    expect(shared.receiver.requests.map((r) => r.url)).toEqual([requested]);
  });

  it('one notification redelivered carries the same Idempotency-Key; a re-fire (new claim) a different one', async () => {
    const sink = await shared.startSink();
    const service = { url: shared.receiver.origin };
    await sink.send(notification({ message: 'm' }), service);
    await sink.send(notification({ message: 'm' }), service);
    await sink.send(notification({ message: 'm' }, { claimRevision: 8 }), service);
    expect(shared.receiver.requests.map((r) => r.headers['idempotency-key'])).toEqual(['f3b2c1d0e9a8:7', 'f3b2c1d0e9a8:7', 'f3b2c1d0e9a8:8']);
  });

  it('follows redirects as Go does: a 307 repeats the POST and its body at the new location', async () => {
    shared.receiver.respond((req, res) => (req.url === '/old' ? res.writeHead(307, { location: '/new' }).end() : res.end('ok')));
    const sink = await shared.startSink();
    await sink.send(notification({ webhook: { webhook: { method: 'POST', path: '/old', body: 'payload' } } }), { url: shared.receiver.origin });
    expect(shared.receiver.requests.map((r) => [r.method, r.url, r.body, r.headers['idempotency-key']])).toEqual([
      ['POST', '/old', 'payload', 'f3b2c1d0e9a8:7'],
      ['POST', '/new', 'payload', 'f3b2c1d0e9a8:7'],
    ]);
  });

  // GET with a body is Argo's seed template; undici would close the connection after each (Go's client keeps it).
  it.each(['GET', 'POST'])('reuses one kept-alive connection for requests to the same service (%s with a body)', async (method) => {
    const ports = new Set<number>();
    shared.receiver.respond((_req, res) => {
      ports.add(res.socket!.remotePort!);
      res.end('ok');
    });
    const sink = await shared.startSink();
    for (let i = 0; i < 3; i++) {
      await sink.send(notification({ webhook: { webhook: { method, body: `m${i}` } } }), { url: shared.receiver.origin });
      await new Promise((resolve) => setTimeout(resolve, 10)); // the connection goes back to the pool
    }
    expect(shared.receiver.requests.map((r) => [r.method, r.body])).toEqual([0, 1, 2].map((i) => [method, `m${i}`]));
    expect(ports.size).toBe(1);
  });
});
