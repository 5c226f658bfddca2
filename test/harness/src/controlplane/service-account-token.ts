import { join } from 'node:path';
import { AuthenticationV1TokenRequest, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ControlPlane } from './control-plane.ts';
import { writeKubeconfig } from './kubeconfig.ts';

export interface ServiceAccountCredentials {
  /** `system:serviceaccount:<namespace>:<name>` */
  readonly user: string;
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
}

/**
 * A kubeconfig for a ServiceAccount, with a token the API server issues for it through the TokenRequest API
 * (what the kubelet mounts into a pod): requests made with it are authorised exactly as the ServiceAccount's.
 */
export async function serviceAccountKubeconfig(cp: ControlPlane, namespace: string, name: string, expirationSeconds = 3600): Promise<ServiceAccountCredentials> {
  const core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  const body = new AuthenticationV1TokenRequest();
  body.spec = { audiences: [], expirationSeconds };
  const issued = await core.createNamespacedServiceAccountToken({ name, namespace, body });
  const token = issued.status?.token;
  if (!token) throw new Error(`the API server issued no token for ServiceAccount ${namespace}/${name}`);
  const user = `system:serviceaccount:${namespace}:${name}`;
  const kubeconfigPath = join(cp.dataDir, `sa-${namespace}-${name}.kubeconfig`);
  const kubeConfig = await writeKubeconfig(kubeconfigPath, { server: cp.server, caFile: cp.caFile, user: { name: user, token, groups: [] } });
  return { user, kubeconfigPath, kubeConfig };
}
