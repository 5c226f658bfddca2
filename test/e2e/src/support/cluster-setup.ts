import { readFileSync } from 'node:fs';
import { CoreV1Api, KubernetesObjectApi, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { ControlPlane } from '@herald/test-harness';

const repo = new URL('../../../../', import.meta.url);

/**
 * Applies deploy/rbac/herald-rbac.yaml as it is, with Herald's namespace set to `namespace` and its subjects
 * replaced by the control plane's restricted user: what Herald may do is exactly what the manifest grants.
 */
export async function applyHeraldRbac(cp: ControlPlane, namespace: string): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(cp.adminKubeConfig);
  const docs = parseAllDocuments(readFileSync(new URL('deploy/rbac/herald-rbac.yaml', repo), 'utf8')).map((d) => d.toJS() as KubernetesObject & Record<string, unknown>);
  for (const doc of docs) {
    if (doc.kind === 'ServiceAccount') continue;
    const name = doc.metadata!.name!;
    const metadata = { ...doc.metadata, name: doc.kind!.startsWith('Cluster') ? `${name}-${namespace}` : name, ...(doc.metadata?.namespace ? { namespace } : {}) };
    const body: KubernetesObject & Record<string, unknown> = { ...doc, metadata };
    if (body.subjects) body.subjects = [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: cp.restrictedUser }];
    if (doc.kind === 'ClusterRoleBinding') body.roleRef = { ...(doc.roleRef as object), name: `${(doc.roleRef as { name: string }).name}-${namespace}` };
    await api.create(body);
  }
}

/** The seed scenario's ConfigMap, verbatim but for the webhook URL's host, under `name` in `namespace`. */
export function seedConfigMap(namespace: string, name: string, receiverUrl: string): V1ConfigMap {
  const docs = parseAllDocuments(readFileSync(new URL('test/fixtures/reference-scenario.yaml', repo), 'utf8')).map((d) => d.toJS() as V1ConfigMap);
  const cm = docs.find((d) => d.kind === 'ConfigMap')!;
  const data = Object.fromEntries(Object.entries(cm.data ?? {}).map(([k, v]) => [k, v.replace('http://webhook.default:8080', receiverUrl)]));
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

export async function createConfigMap(cp: ControlPlane, body: V1ConfigMap): Promise<void> {
  await cp.adminKubeConfig.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: body.metadata!.namespace!, body });
}
