import { writeFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import type { TokenUser } from './token-file.ts';

export interface KubeconfigTarget {
  readonly server: string;
  readonly caFile: string;
  readonly user: TokenUser;
}

/**
 * Writes a kubeconfig file for one token user (so child processes and kubectl-like tools can use it too)
 * and returns it loaded as a client-node KubeConfig.
 */
export async function writeKubeconfig(path: string, target: KubeconfigTarget): Promise<KubeConfig> {
  const { server, caFile, user } = target;
  // JSON is valid YAML, and avoids any quoting question for paths and tokens.
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'herald-test', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: user.name, user: { token: user.token } }],
    contexts: [{ name: user.name, context: { cluster: 'herald-test', user: user.name } }],
    'current-context': user.name,
  };
  await writeFile(path, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}
