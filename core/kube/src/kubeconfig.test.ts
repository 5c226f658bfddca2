import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { KUBECONFIG_ERROR_CODE } from './errors.ts';
import { loadKubeConfig } from './kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'herald-kubeconfig-'));

function kubeconfig(name: string, server: string, contexts: string[] = ['main']): string {
  const path = join(dir, name);
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: contexts.map((c) => ({ name: c, cluster: { server: `${server}/${c}` } })),
    users: [{ name: 'u', user: { token: 'not-logged' } }],
    contexts: contexts.map((c) => ({ name: c, context: { cluster: c, user: 'u' } })),
    'current-context': contexts[0],
  };
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

const option = kubeconfig('option.yaml', 'https://option', ['main', 'staging']);
const fromEnv = kubeconfig('env.yaml', 'https://env');
const home = join(dir, 'home');
mkdirSync(join(home, '.kube'), { recursive: true });
writeFileSync(join(home, '.kube', 'config'), JSON.stringify({ clusters: [{ name: 'h', cluster: { server: 'https://home' } }], users: [{ name: 'u', user: {} }], contexts: [{ name: 'h', context: { cluster: 'h', user: 'u' } }], 'current-context': 'h' }));
const emptyHome = join(dir, 'nobody');

const server = (options: Parameters<typeof loadKubeConfig>[0]) => loadKubeConfig(options).kc.getCurrentCluster()?.server;

describe('kubeconfig', () => {
  it('uses the kubeconfig option first, then $KUBECONFIG, then ~/.kube/config', () => {
    expect(server({ path: option, env: { KUBECONFIG: fromEnv }, home })).toBe('https://option/main');
    expect(server({ env: { KUBECONFIG: fromEnv }, home })).toBe('https://env/main');
    expect(server({ env: {}, home })).toBe('https://home');
  });

  it('uses the in-cluster service account before ~/.kube/config', () => {
    const root = join(dir, 'sa-root');
    const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'token');
    writeFileSync(join(sa, 'ca.crt'), '');
    writeFileSync(join(sa, 'namespace'), 'herald-system');
    const env = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    // client-node reads the service host and port from process.env itself.
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    try {
      const loaded = loadKubeConfig({ env, home, serviceAccountDir: sa });
      expect(loaded.origin).toBe('in-cluster service account');
      expect(loaded.kc.getCurrentCluster()?.server).toBe('https://10.0.0.1:443');
      expect(loaded.namespace).toBe('herald-system');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('switches to the context asked for, and names the known ones when it is missing', () => {
    expect(server({ path: option, context: 'staging' })).toBe('https://option/staging');
    expect(() => loadKubeConfig({ path: option, context: 'prod' })).toThrow(`context "prod" is not in ${option} (contexts: "main", "staging")`);
  });

  it('says what to do when there is no kubeconfig at all, or the file is missing', () => {
    expect(() => loadKubeConfig({ env: {}, home: emptyHome })).toThrow(expect.objectContaining({ code: KUBECONFIG_ERROR_CODE, message: expect.stringMatching(/^no kubeconfig found/) }));
    expect(() => loadKubeConfig({ path: join(dir, 'missing.yaml') })).toThrow(`cannot load kubeconfig ${join(dir, 'missing.yaml')}`);
  });

  it('takes $POD_NAMESPACE as its namespace, else the context\'s, else default', () => {
    const withNamespace = join(dir, 'namespaced.yaml');
    writeFileSync(withNamespace, JSON.stringify({ clusters: [{ name: 'c', cluster: { server: 'https://ns' } }], users: [{ name: 'u', user: {} }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'team-a' } }], 'current-context': 'c' }));
    expect(loadKubeConfig({ path: withNamespace, env: { POD_NAMESPACE: 'herald' } }).namespace).toBe('herald');
    expect(loadKubeConfig({ path: withNamespace, env: { POD_NAMESPACE: '' } }).namespace).toBe('team-a');
    expect(loadKubeConfig({ path: option, env: {} }).namespace).toBe('default');
  });
});
