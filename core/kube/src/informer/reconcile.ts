import type { InformerEvent, KubeObject } from './kube-object.ts';

/**
 * The events that turn what an informer knew (`known`, by UID) into what a fresh list says (`listed`):
 * DELETED, with the last known state, for each object no longer listed; then, in list order, ADDED for
 * each new object and MODIFIED for each whose resourceVersion changed. Unchanged objects give nothing.
 *
 * Objects are keyed by UID, not by name: an object deleted and created again under the same name while
 * the informer was not watching is a DELETED of the old one and an ADDED of the new one.
 */
export function reconcile(known: ReadonlyMap<string, KubeObject>, listed: readonly KubeObject[]): InformerEvent[] {
  const listedUids = new Set<string>();
  const changes: InformerEvent[] = [];
  for (const object of listed) {
    const uid = object.metadata?.uid;
    if (!uid) continue;
    listedUids.add(uid);
    const before = known.get(uid);
    if (!before) changes.push({ type: 'ADDED', object });
    else if (before.metadata?.resourceVersion !== object.metadata?.resourceVersion) changes.push({ type: 'MODIFIED', object, previous: before });
  }
  const deletions: InformerEvent[] = [];
  for (const [uid, object] of known) {
    if (!listedUids.has(uid)) deletions.push({ type: 'DELETED', object, finalStateUnknown: true });
  }
  return [...deletions, ...changes];
}
