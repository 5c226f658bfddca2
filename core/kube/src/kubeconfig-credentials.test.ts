import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it, vi } from 'vitest';
import { loadKubeConfig } from './kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'herald-credentials-'));
mkdirSync(join(dir, 'pki'));
writeFileSync(join(dir, 'pki', 'ca.crt'), 'CA FROM FILE');
writeFileSync(join(dir, 'pki', 'client.crt'), 'CERT FROM FILE');
writeFileSync(join(dir, 'pki', 'client.key'), 'KEY FROM FILE');
writeFileSync(join(dir, 'token'), 'token-from-file');
// Fresh Node processes, each loading Herald from sources: seconds on a loaded machine.
const childProcessTimeout = 60_000;
const b64 = (text: string) => Buffer.from(text).toString('base64');

function kubeconfig(name: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  const path = join(dir, `${name}.yaml`);
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://kube.example:6443', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  };
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

/** What a request is sent with: the fields either loader sets (client-node also sets an agent, which Herald's client replaces). */
async function applied(credentials: { applyToHTTPSOptions(o: RequestOptions): Promise<void> }): Promise<Record<string, unknown>> {
  const options: RequestOptions = { headers: { Accept: 'application/json' } };
  await credentials.applyToHTTPSOptions(options);
  const { ca, cert, key, rejectUnauthorized, servername, auth, headers } = options;
  return Object.fromEntries(Object.entries({ ca: ca?.toString(), cert: cert?.toString(), key: key?.toString(), rejectUnauthorized, servername, auth, headers }).filter(([, v]) => v !== undefined));
}

async function clientNode(path: string): Promise<Record<string, unknown>> {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return applied(kc);
}

const forms: [string, string, Record<string, unknown>][] = [
  ['bearer token and CA data', kubeconfig('token', { 'certificate-authority-data': b64('CA DATA') }, { token: 'abc' }),
    { ca: 'CA DATA', headers: { Accept: 'application/json', Authorization: 'Bearer abc' } }],
  ['token file and a CA file relative to the kubeconfig', kubeconfig('token-file', { 'certificate-authority': 'pki/ca.crt' }, { 'token-file': join(dir, 'token') }),
    { ca: 'CA FROM FILE', headers: { Accept: 'application/json', Authorization: 'Bearer token-from-file' } }],
  ['client certificate and key files', kubeconfig('cert-files', {}, { 'client-certificate': 'pki/client.crt', 'client-key': join(dir, 'pki', 'client.key') }),
    { cert: 'CERT FROM FILE', key: 'KEY FROM FILE', headers: { Accept: 'application/json' } }],
  ['client certificate and key data', kubeconfig('cert-data', {}, { 'client-certificate-data': b64('CERT DATA'), 'client-key-data': b64('KEY DATA') }),
    { cert: 'CERT DATA', key: 'KEY DATA', headers: { Accept: 'application/json' } }],
  ['basic auth', kubeconfig('basic', {}, { username: 'admin', password: 's3cret' }),
    { auth: 'admin:s3cret', headers: { Accept: 'application/json' } }],
  ['insecure-skip-tls-verify, tls-server-name and impersonation', kubeconfig('tls', { 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes' }, { token: 't', as: 'jane' }),
    { rejectUnauthorized: false, servername: 'kubernetes', headers: { Accept: 'application/json', 'Impersonate-User': 'jane', Authorization: 'Bearer t' } }],
  ['a plain http server with TLS verification off', kubeconfig('http', { server: 'http://127.0.0.1:8080', 'insecure-skip-tls-verify': true }, {}),
    { rejectUnauthorized: false, headers: { Accept: 'application/json' } }],
];

describe('kubeconfig credentials', () => {
  it.each(forms)('authenticates with %s as client-node does', async (_form, path, expected) => {
    const ours = loadKubeConfig({ path, env: {} }).kc;
    expect(ours.needsClientNode).toBe(false);
    expect(await applied(ours)).toEqual(expected);
    expect(await applied(ours)).toEqual(await clientNode(path));
  });

  it('refuses a plain http server unless TLS verification is off, as client-node does', async () => {
    const path = kubeconfig('http-verify', { server: 'http://127.0.0.1:8080' }, { token: 't' });
    const message = 'HTTP protocol is not allowed when skipTLSVerify is not set or false';
    await expect(applied(loadKubeConfig({ path, env: {} }).kc)).rejects.toThrow(message);
    await expect(clientNode(path)).rejects.toThrow(message);
  });

  it('reads the in-cluster service account token and CA, and the token again once it rotates', async () => {
    const sa = join(dir, 'sa');
    mkdirSync(sa);
    writeFileSync(join(sa, 'token'), 'first');
    writeFileSync(join(sa, 'ca.crt'), 'CLUSTER CA');
    const { kc, namespace } = loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, home: join(dir, 'nobody'), serviceAccountDir: sa });
    expect(kc.getCurrentCluster()?.server).toBe('https://[fd00::1]:443');
    expect(namespace).toBe('default');
    expect(await applied(kc)).toEqual({ ca: 'CLUSTER CA', headers: { Accept: 'application/json', Authorization: 'Bearer first' } });
    writeFileSync(join(sa, 'token'), 'second');
    const later = Date.now() + 61_000;
    vi.useFakeTimers({ now: later, toFake: ['Date'] });
    try {
      expect((await applied(kc)).headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer second' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads the CA, client certificate and key files once a minute, and a rotated one within the minute after', async () => {
    const pki = join(dir, 'rotating');
    mkdirSync(pki);
    const files = { ca: join(pki, 'ca.crt'), cert: join(pki, 'client.crt'), key: join(pki, 'client.key') };
    for (const [name, path] of Object.entries(files)) writeFileSync(path, `${name} 1`);
    const path = kubeconfig('rotating', { 'certificate-authority': files.ca }, { 'client-certificate': files.cert, 'client-key': files.key });
    const { kc } = loadKubeConfig({ path, env: {} });
    const start = Date.now();
    vi.useFakeTimers({ now: start, toFake: ['Date'] });
    try {
      expect(await applied(kc)).toMatchObject({ ca: 'ca 1', cert: 'cert 1', key: 'key 1' });
      for (const [name, path] of Object.entries(files)) writeFileSync(path, `${name} 2`);
      vi.setSystemTime(start + 59_000);
      expect(await applied(kc)).toMatchObject({ ca: 'ca 1', cert: 'cert 1', key: 'key 1' });
      vi.setSystemTime(start + 61_000);
      expect(await applied(kc)).toMatchObject({ ca: 'ca 2', cert: 'cert 2', key: 'key 2' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('hands an exec credential plugin to client-node, which runs it', async () => {
    const plugin = join(dir, 'credential-plugin.sh');
    writeFileSync(plugin, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-exec"}}'\n`);
    chmodSync(plugin, 0o755);
    const path = kubeconfig('exec', {}, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } });
    const { kc } = loadKubeConfig({ path, env: {} });
    expect(kc.needsClientNode).toBe(true);
    expect((await applied(kc)).headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer from-exec' });
  });

  it('hands a proxy to client-node, whose agent the request then goes through', async () => {
    const path = kubeconfig('proxy', { 'proxy-url': 'http://proxy.example:3128' }, { token: 't' });
    const { kc } = loadKubeConfig({ path, env: {} });
    expect(kc.needsClientNode).toBe(true);
    const options: RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    expect(options.agent?.constructor.name).toBe('HttpsProxyAgent');
  });

  it('loads client-node only for a kubeconfig it hands on, not for one it authenticates itself', () => {
    const token = kubeconfig('no-client-node', {}, { token: 'abc' });
    const exec = kubeconfig('with-client-node', {}, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'true' } });
    expect(clientNodeLoaded(token)).toEqual({ authorization: 'Bearer abc', loaded: false });
    expect(clientNodeLoaded(exec).loaded).toBe(true);
  }, childProcessTimeout);
});

/**
 * Loads the kubeconfig and authenticates one request in a fresh process (this one has client-node loaded
 * already), recording whether any module of client-node was resolved.
 */
function clientNodeLoaded(path: string): { authorization: unknown; loaded: boolean } {
  const hook = `import { registerHooks } from 'node:module';
    registerHooks({ resolve(s, c, next) { const r = next(s, c); if (r.url.includes('@kubernetes/client-node')) process.stderr.write('loaded client-node\\n'); return r; } });`;
  const script = `const { loadKubeConfig } = await import('@herald/core-kube');
    const { kc } = loadKubeConfig({ path: ${JSON.stringify(path)} });
    const o = {};
    await kc.applyToHTTPSOptions(o).catch(() => undefined);
    console.log(JSON.stringify(o.headers?.Authorization ?? null));`;
  const child = spawnSync(process.execPath, ['--conditions=herald-source', '--import', `data:text/javascript,${encodeURIComponent(hook)}`, '--input-type=module', '-e', script], { cwd: import.meta.dirname, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  return { authorization: JSON.parse(child.stdout), loaded: child.stderr.includes('loaded client-node') };
}
