import { ApiextensionsV1Api, CustomObjectsApi, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { eventually } from '../eventually.ts';

export interface NamespacedCrd {
  /** API group, e.g. `e2e.herald.dev`. */
  readonly group: string;
  /** e.g. `Widget`; the singular name is its lower case, the list kind `<kind>List`. */
  readonly kind: string;
  /** e.g. `widgets`; the CRD is named `<plural>.<group>`. */
  readonly plural: string;
  /** The one version, served and stored; default `v1`. */
  readonly version?: string;
}

/**
 * Creates a namespaced CustomResourceDefinition with one version whose schema keeps every field
 * (x-kubernetes-preserve-unknown-fields), and resolves once it is Established and its resource is served:
 * Established can come a moment before a list of the new resource stops answering 404.
 * Returns the CRD as read once Established.
 */
export async function createNamespacedCrd(kc: KubeConfig, crd: NamespacedCrd, timeoutMs = 60_000): Promise<V1CustomResourceDefinition> {
  const { group, kind, plural, version = 'v1' } = crd;
  const name = `${plural}.${group}`;
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await extensions.createCustomResourceDefinition({
    body: {
      metadata: { name },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
        // client-node's typed models drop unknown keys: the JSON spelling 'x-kubernetes-preserve-unknown-fields'
        // would be silently left out, and the apiserver would then prune spec.
        versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
      },
    },
  });
  const established = await eventually(async () => {
    const read = await extensions.readCustomResourceDefinition({ name });
    const condition = read.status?.conditions?.find((c) => c.type === 'Established');
    if (condition?.status !== 'True') throw new Error(`CustomResourceDefinition ${name} is not Established yet (${JSON.stringify(condition ?? 'no condition')})`);
    return read;
  }, timeoutMs);
  await eventually(() => custom.listClusterCustomObject({ group, version, plural }), timeoutMs);
  return established;
}
