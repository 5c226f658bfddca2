import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeClient } from './kube-client.ts';

interface ApiServer {
  url: string;
  /** Connections opened to it so far. */
  connections: () => number;
  headers: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** An API server on loopback HTTP answering every request with an empty object, but those under /hang, never. */
async function apiServer(): Promise<ApiServer> {
  let connections = 0;
  const headers: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    headers.push(req.headers);
    req.resume();
    if (req.url?.startsWith('/hang')) return;
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"kind":"Pod"}'));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    headers,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function kubeConfig(server: string, token: string, kc = new KubeConfig()): KubeConfig {
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

describe('kube client', () => {
  let api: ApiServer | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('sends one request after another over one kept-alive connection', async () => {
    api = await apiServer();
    const client = createKubeClient(kubeConfig(api.url, 'secret-token'));
    const signal = new AbortController().signal;
    for (let i = 0; i < 5; i++) await client.get('/api/v1/pods', {}, signal);
    await client.patch('/api/v1/namespaces/ns/pods/p', { metadata: {} }, 'application/merge-patch+json', signal);
    expect(api.headers).toHaveLength(6);
    expect(api.connections()).toBe(1);
  });

  it('applies the kubeconfig to every request: a token changed in it is sent from the next request on', async () => {
    api = await apiServer();
    const kc = kubeConfig(api.url, 'first');
    const client = createKubeClient(kc);
    const signal = new AbortController().signal;
    await client.get('/api/v1/pods', {}, signal);
    kubeConfig(api.url, 'second', kc);
    await client.get('/api/v1/pods', {}, signal);
    expect(api.headers.map((h) => h.authorization)).toEqual(['Bearer first', 'Bearer second']);
  });

  it('gives up on a request not answered within requestTimeoutMs, with a TimeoutError; one its caller aborted rejects with the caller’s reason', async () => {
    api = await apiServer();
    const client = createKubeClient(kubeConfig(api.url, 't'), { requestTimeoutMs: 100 });
    const signal = new AbortController().signal;
    await expect(client.get('/api/v1/pods', {}, signal)).resolves.toEqual({ kind: 'Pod' });
    await expect(client.get('/hang', {}, signal)).rejects.toMatchObject({ name: 'AbortError', cause: { name: 'TimeoutError' } });
    const caller = new AbortController();
    caller.abort(new Error('stopping'));
    await expect(client.patch('/hang/pod', {}, 'application/merge-patch+json', caller.signal)).rejects.toThrow('stopping');
  });
});
