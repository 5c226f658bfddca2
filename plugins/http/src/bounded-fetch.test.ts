import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { boundedFetch } from './index.ts';

let server: Server;
let origin: string;
let sent = 0;
let cut: Promise<void> = Promise.resolve();
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/endless') {
      // Writes for as long as the client reads.
      cut = new Promise((resolve) => res.on('close', resolve));
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = (): void => {
        while (!res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      return pump();
    }
    if (req.url === '/empty') return void res.writeHead(204).end();
    if (req.url === '/moved') return void res.writeHead(302, { location: '/small' }).end();
    res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining': '7' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('passes an answer within the bound through as it came: status, headers, body, the URL after a redirect', async () => {
  const response = await boundedFetch(fetch, 1024)(`${origin}/moved`);
  expect(response.status).toBe(200);
  expect(response.headers.get('x-ratelimit-remaining')).toBe('7');
  expect(response.url).toBe(`${origin}/small`);
  expect(response.redirected).toBe(true);
  expect(await response.json()).toEqual({ ok: true });
  expect((await boundedFetch(fetch, 1024)(`${origin}/empty`)).status).toBe(204);
});

it('fails the read of a longer answer, and closes the connection', async () => {
  const response = await boundedFetch(fetch, 1024 * 1024)(`${origin}/endless`);
  const err = await response.text().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ message: 'the answer was longer than 1048576 bytes; read no further' });
  await cut;
  expect(sent).toBeLessThan(64 * 1024 * 1024);
});
