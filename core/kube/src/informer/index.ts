// A small Kubernetes informer with no Herald-specific code: list + watch of one collection, bookmarks,
// relist and reconcile on 410 Gone, backoff, ordered and back-pressured delivery.
export { Informer, defaultBackoff, type InformerOptions, type InformerLogger, type InformerObserver, type EventHandler } from './informer.ts';
export { createKubeClient, type KubeClient, type KubeClientOptions, type PatchContentType, type Query } from './kube-client.ts';
export { KubeApiError, isGone, type KubeStatus } from './kube-api-error.ts';
export { lookupResource, type ApiResourceInfo, type ResourceLookup } from './discovery.ts';
export { reconcile } from './reconcile.ts';
export { apiVersionOf, collectionDescription, collectionPath, gvrString, type GroupVersionResource, type InformerEvent, type InformerEventType, type KubeObject, type ObjectMeta } from './kube-object.ts';
