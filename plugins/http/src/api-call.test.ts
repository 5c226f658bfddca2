import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentPool, callApi, excerpt, type ApiCall } from './index.ts';
import { rejectionOf as rejection } from '@herald/plugin-testing';

const TOKEN = '123456:AAsecret-token-in-the-path';
let server: Server;
let origin: string;
const hanging: ServerResponse[] = [];
const pool = new AgentPool();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.endsWith('/hang')) return void hanging.push(res);
    if (req.url?.endsWith('/big')) return void res.writeHead(502).end('x'.repeat(200_000));
    if (req.url?.endsWith('/echo')) return void res.writeHead(401).end(`{"error":"bad key ${req.headers.authorization}"}`);
    res.writeHead(404, { 'retry-after': '3' }).end('{"ok":false}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of hanging) res.destroy();
  await pool.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const call = (path: string, base = origin): ApiCall => ({ url: `${base}/bot${TOKEN}${path}`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
const options = (signal = new AbortController().signal, timeoutMs = 5_000) => ({ what: 'api "x": send', timeoutMs, signal });

describe('callApi', () => {
  it('resolves with any HTTP answer: status, headers and body, for the sink to judge', async () => {
    const answer = await callApi(pool.get(), call('/x'), options());
    expect(answer).toMatchObject({ status: 404, body: '{"ok":false}', headers: { 'retry-after': '3' } });
  });

  it('keeps at most 64 KiB of a body', async () => {
    expect((await callApi(pool.get(), call('/big'), options())).body).toHaveLength(64 * 1024);
  });

  it('no answer within the timeout: retryable, saying what timed out and never the URL', async () => {
    const err = await rejection(callApi(pool.get(), call('/hang'), options(undefined, 100)));
    expect(err).toMatchObject({ retryable: true, message: 'api "x": send: no answer within 100 ms' });
  });

  it("the send's signal aborted: retryable, with the reason", async () => {
    const abort = new AbortController();
    const pending = rejection(callApi(pool.get(), call('/hang'), options(abort.signal)));
    abort.abort(new Error('delivery deadline passed'));
    expect(await pending).toMatchObject({ retryable: true, message: 'api "x": send aborted: delivery deadline passed' });
  });

  it('masks the secrets it is given in the answer and in any error', async () => {
    const secrets = ['key-0d9e71'];
    const echoed = { ...call('/echo'), headers: { authorization: 'GenieKey key-0d9e71' } };
    expect((await callApi(pool.get(), echoed, { ...options(), secrets })).body).toBe('{"error":"bad key GenieKey ***"}');
    const err = await rejection(callApi(pool.get(), call('/x', 'http://127.0.0.1:9'), { ...options(), what: 'api "x": send with key-0d9e71', secrets }));
    expect(err.message).toMatch(/^api "x": send with \*\*\*: request failed/);
  });

  it('an unreachable API: retryable, and the token in the URL is in no message', async () => {
    const err = await rejection(callApi(pool.get(), call('/x', 'http://127.0.0.1:9'), options()));
    expect(err).toMatchObject({ retryable: true, message: expect.stringMatching(/^api "x": send: request failed: .*ECONNREFUSED/) });
    expect(err.message).not.toContain(TOKEN);
  });
});

describe('excerpt', () => {
  it('folds white space and cuts to the length with an ellipsis', () => {
    expect(excerpt('  <html>\n  <body>Bad   gateway</body>\n</html> ', 100)).toBe('<html> <body>Bad gateway</body> </html>');
    expect(excerpt('a'.repeat(12), 10)).toBe(`${'a'.repeat(10)}…`);
    expect(excerpt(' \n ', 10)).toBe('');
  });
});
