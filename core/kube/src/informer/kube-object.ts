/** Group/version/resource of a Kubernetes API collection. The core group is "". */
export interface GroupVersionResource {
  group: string;
  version: string;
  /** Plural resource name as the API serves it: `pods`, `deployments`, `certificates`. */
  resource: string;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  managedFields?: unknown[];
  [field: string]: unknown;
}

/** Any Kubernetes object, as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export type InformerEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A change of one object, handed to the informer's `onEvent`. */
export interface InformerEvent {
  type: InformerEventType;
  object: KubeObject;
  /**
   * True for a DELETED found by a relist: the object was gone when the informer looked again, and `object`
   * is the last state it knew (client-go's DeletedFinalStateUnknown).
   */
  finalStateUnknown?: boolean;
  /**
   * For a MODIFIED: the object as the informer last delivered it, when it had (after `transform`; what `keep`
   * kept of it, with that option).
   */
  previous?: KubeObject;
  /** With the informer's `keep` option, for an ADDED or MODIFIED: what it keeps of `object` (the next event's `previous`). */
  kept?: KubeObject;
  /**
   * Set on a MODIFIED that a periodic resync handed over for an object unchanged since it was last delivered
   * (client-go's resync): the resourceVersion of the list that found it, which tells one resync's event from
   * the next one's.
   */
  resync?: string;
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(gvr: Pick<GroupVersionResource, 'group' | 'version'>): string {
  return gvr.group ? `${gvr.group}/${gvr.version}` : gvr.version;
}

/** Path of a collection: `/api/v1/namespaces/ns/pods`, `/apis/apps/v1/deployments` (all namespaces). */
export function collectionPath(gvr: GroupVersionResource, namespace?: string): string {
  const root = gvr.group ? `/apis/${gvr.group}/${gvr.version}` : `/api/${gvr.version}`;
  const ns = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  return `${root}${ns}/${gvr.resource}`;
}

/** `pods.v1`, `deployments.v1.apps`: the short form kubectl uses. */
export function gvrString(gvr: GroupVersionResource): string {
  return gvr.group ? `${gvr.resource}.${gvr.version}.${gvr.group}` : `${gvr.resource}.${gvr.version}`;
}

/** `pods.v1 in namespace "x"`: one collection an informer watches, for messages. */
export function collectionDescription(gvr: GroupVersionResource, namespace?: string): string {
  return namespace === undefined ? gvrString(gvr) : `${gvrString(gvr)} in namespace "${namespace}"`;
}
