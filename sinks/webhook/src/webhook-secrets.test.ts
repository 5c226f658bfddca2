import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { startReceiver, type Received, type Receiver } from './__fixtures__/receiver.ts';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/sink-harness.ts';

let receiver: Receiver;
let sink: TestSink;

const token = 'ghp_Sup3rSecretT0kenValue';
const password = 'hunter2-correct-horse';
const basicToken = Buffer.from(`deploy:${password}`).toString('base64');
const secrets = [token, password, basicToken, 'query-s3cret-value', 'T0123ABCD/B0456EFGH/XyZ789secretPathToken'];

// A server that echoes the request's headers in its error, as some do.
const echo = (req: Received, res: ServerResponse) => res.writeHead(500).end(JSON.stringify({ error: 'upstream failed', headers: req.headers, url: req.url }));

beforeAll(async () => {
  receiver = await startReceiver();
  receiver.respond(echo);
});
afterAll(() => receiver.close());
afterEach(async () => {
  await sink.handle.stop();
  receiver.requests.length = 0;
  receiver.respond(echo);
});

describe('webhook sink: secrets', () => {
  const services = [
    { name: 'header value', service: (o: string) => ({ url: o, headers: [{ name: 'Authorization', value: `token ${token}` }] }) },
    { name: 'basic-auth password', service: (o: string) => ({ url: o, basicAuth: { username: 'deploy', password } }) },
    { name: 'URL credentials', service: (o: string) => ({ url: o.replace('http://', `http://deploy:${password}@`) }) },
    { name: 'query value', service: (o: string) => ({ url: `${o}/build?token=query-s3cret-value&delay=0` }) },
    { name: 'token in the path', service: (o: string) => ({ url: `${o}/services/T0123ABCD/B0456EFGH/XyZ789secretPathToken` }) },
  ];

  it.each(services)('a $name appears in no error message, cause or log line', async ({ service }) => {
    sink = await startSink();
    const err = await rejection(sink.send(notification({ message: 'm' }), service(receiver.origin)));
    expect(receiver.requests).toHaveLength(1);
    expect(err.message).toContain('answered 500');
    const seen = [err.message, String(err.cause ?? ''), ...sink.logger.lines].join('\n');
    for (const secret of secrets) expect(seen).not.toContain(secret);
  });

  it('shows the URL with its query values and token-like path segments masked', async () => {
    sink = await startSink();
    const err = await rejection(sink.send(notification({ message: 'm' }), { url: `${receiver.origin}/services/T0123ABCD/B0456EFGH/XyZ789secretPathToken?token=query-s3cret-value&flag` }));
    expect(err.message).toContain(`GET ${receiver.origin}/services/T0123ABCD/B0456EFGH/***?token=***&flag answered 500`);
  });
});

describe('webhook sink: secrets in what it shows (issue 12, break 6)', () => {
  it('break 6b: masks a secret in the response excerpt before cutting it, so one across the cut shows no prefix', async () => {
    sink = await startSink({ responseBodyExcerpt: 200 });
    receiver.respond((_req, res) => res.writeHead(401).end(`${'x'.repeat(190)}${token} was refused`));
    const err = await rejection(sink.send(notification({ message: 'm' }), { url: receiver.origin, headers: [{ name: 'X-Api-Key', value: token }] }, { secrets: [token] }));
    expect(err.message).toContain(`answered 401 Unauthorized: ${'x'.repeat(190)}***`);
    expect(err.message).not.toContain(token.slice(0, 4));
  });

  it('break 6c: masks every value from the Secret, a short letters-only one in the URL path too', async () => {
    sink = await startSink();
    receiver.respond((req, res) => res.writeHead(500).end(`no hook at ${req.url}`));
    const err = await rejection(sink.send(notification({ message: 'm' }), { url: `${receiver.origin}/hooks/hunter` }, { secrets: ['hunter'] }));
    expect(receiver.requests.map((r) => r.url)).toEqual(['/hooks/hunter']);
    expect(err.message).toBe(`webhook "webhook": GET ${receiver.origin}/hooks/*** answered 500 Internal Server Error: no hook at /hooks/***`);
    expect(sink.logger.lines.join('\n')).not.toContain('hunter');
  });
});
