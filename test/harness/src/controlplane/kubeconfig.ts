import { readFile, writeFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import type { TokenUser } from './token-file.ts';

export interface KubeconfigTarget {
  readonly server: string;
  readonly caFile: string;
  readonly user: TokenUser;
  /**
   * `inline`: the CA's PEM inside the file (certificate-authority-data), for a reader that does not see this
   * machine's files, such as a container; the file is then readable by every uid (a container's user is not
   * ours). Default `path`.
   */
  readonly ca?: 'path' | 'inline';
}

/**
 * Writes a kubeconfig file for one token user (so child processes and kubectl-like tools can use it too)
 * and returns it loaded as a client-node KubeConfig.
 */
export async function writeKubeconfig(path: string, target: KubeconfigTarget): Promise<KubeConfig> {
  const { server, caFile, user } = target;
  const inline = target.ca === 'inline';
  const ca = inline ? { 'certificate-authority-data': (await readFile(caFile)).toString('base64') } : { 'certificate-authority': caFile };
  // JSON is valid YAML, and avoids any quoting question for paths and tokens.
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'herald-test', cluster: { server, ...ca } }],
    users: [{ name: user.name, user: { token: user.token } }],
    contexts: [{ name: user.name, context: { cluster: 'herald-test', user: user.name } }],
    'current-context': user.name,
  };
  await writeFile(path, `${JSON.stringify(doc, null, 2)}\n`, { mode: inline ? 0o644 : 0o600 });
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}
