import type { InformerEvent, KubeObject } from './kube-object.ts';

/** A resync: the list's resourceVersion, and the objects it already handed over (pages before a list that started over). */
export interface ResyncOf {
  resourceVersion: string;
  delivered?: ReadonlySet<string>;
}

/**
 * The event one listed object gives against what the informer knew: ADDED when new, MODIFIED when its
 * resourceVersion changed; when unchanged, nothing, or in a resync a MODIFIED marked `resync`.
 */
export function listedChange(known: ReadonlyMap<string, KubeObject>, object: KubeObject, resync?: ResyncOf): InformerEvent | undefined {
  const uid = object.metadata?.uid;
  if (!uid) return undefined;
  const before = known.get(uid);
  if (!before) return { type: 'ADDED', object };
  if (before.metadata?.resourceVersion !== object.metadata?.resourceVersion) return { type: 'MODIFIED', object, previous: before };
  if (resync && !resync.delivered?.has(uid)) return { type: 'MODIFIED', object, previous: before, resync: resync.resourceVersion };
  return undefined;
}

/**
 * The events that turn what an informer knew (`known`, by UID) into what a fresh list says (`listed`):
 * DELETED, with the last known state, for each object no longer listed; then, in list order, ADDED for
 * each new object and MODIFIED for each whose resourceVersion changed. Unchanged objects give nothing, or in
 * a resync (`resync`) a MODIFIED marked with the list's resourceVersion.
 *
 * Objects are keyed by UID, not by name: an object deleted and created again under the same name while
 * the informer was not watching is a DELETED of the old one and an ADDED of the new one.
 */
export function reconcile(known: ReadonlyMap<string, KubeObject>, listed: readonly KubeObject[], resync?: ResyncOf): InformerEvent[] {
  const listedUids = new Set<string>();
  const changes: InformerEvent[] = [];
  for (const object of listed) {
    const uid = object.metadata?.uid;
    if (!uid) continue;
    listedUids.add(uid);
    const change = listedChange(known, object, resync);
    if (change) changes.push(change);
  }
  const deletions: InformerEvent[] = [];
  for (const [uid, object] of known) {
    if (!listedUids.has(uid)) deletions.push({ type: 'DELETED', object, finalStateUnknown: true });
  }
  return [...deletions, ...changes];
}
