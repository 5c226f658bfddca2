import { KubeApiError } from './kube-api-error.ts';
import type { KubeClient } from './kube-client.ts';
import { apiVersionOf, type GroupVersionResource } from './kube-object.ts';

/** What discovery says about one resource. */
export interface ApiResourceInfo {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

export type ResourceLookup =
  | { found: true; resource: ApiResourceInfo }
  /** `servedResources` is empty when the group/version itself is not served. */
  | { found: false; groupVersionServed: boolean; servedResources: string[] };

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

/**
 * Asks the API server's discovery endpoint (`/api/v1`, `/apis/<group>/<version>`) whether it serves a
 * resource. Every authenticated user may read discovery (the `system:discovery` role).
 */
export async function lookupResource(client: KubeClient, gvr: GroupVersionResource, signal: AbortSignal): Promise<ResourceLookup> {
  const path = gvr.group ? `/apis/${apiVersionOf(gvr)}` : `/api/${gvr.version}`;
  let list: ApiResourceList;
  try {
    list = await client.get<ApiResourceList>(path, {}, signal);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return { found: false, groupVersionServed: false, servedResources: [] };
    throw err;
  }
  // Subresources (`pods/status`) are listed too; they are not collections.
  const resources = (list.resources ?? []).filter((r) => !r.name.includes('/'));
  const match = resources.find((r) => r.name === gvr.resource);
  if (!match) return { found: false, groupVersionServed: true, servedResources: resources.map((r) => r.name).sort() };
  return { found: true, resource: { name: match.name, kind: match.kind, namespaced: match.namespaced, verbs: match.verbs ?? [] } };
}
