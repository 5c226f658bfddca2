import { KubeSourceError, KubeSourceErrorCodes } from './errors.ts';
import { apiVersionOf, collectionPath, gvrString, KubeApiError, lookupResource, type KubeClient } from '@herald/core-kube';
import type { KubernetesSourceConfig, ResourceConfig } from './kubernetes-source.config.ts';

/** One informer to run: a configured resource in one namespace (undefined: all, or cluster-scoped). */
export interface WatchTarget {
  /** Index in `resources`, for messages. */
  index: number;
  resource: ResourceConfig;
  namespace: string | undefined;
}

/**
 * Checks every configured resource against the API server's discovery (served, kind, scope, list and
 * watch verbs) and expands it into one target per namespace. Errors name the resource and its key.
 */
export async function resolveResources(client: KubeClient, config: KubernetesSourceConfig, signal: AbortSignal): Promise<WatchTarget[]> {
  const targets: WatchTarget[] = [];
  for (const [index, resource] of config.resources.entries()) {
    const key = `resources[${index}]`;
    const name = `${gvrString(resource)} (apiVersion ${apiVersionOf(resource)})`;
    let lookup: Awaited<ReturnType<typeof lookupResource>>;
    try {
      lookup = await lookupResource(client, resource, signal);
    } catch (cause) {
      throw unavailable(client, `${key}: cannot look up ${name}`, cause);
    }
    if (!lookup.found) {
      const detail = lookup.groupVersionServed
        ? `it serves ${lookup.servedResources.join(', ') || 'no resources'} in ${apiVersionOf(resource)}`
        : `it does not serve ${apiVersionOf(resource)} at all`;
      throw new KubeSourceError(KubeSourceErrorCodes.unknownResource, `${key}: the API server does not serve resource "${resource.resource}" in ${apiVersionOf(resource)} (${detail})`);
    }
    const info = lookup.resource;
    if (info.kind !== resource.kind) {
      throw new KubeSourceError(KubeSourceErrorCodes.resourceMismatch, `${key}.kind: ${name} holds kind "${info.kind}", not "${resource.kind}"`);
    }
    const missing = ['list', 'watch'].filter((v) => !info.verbs.includes(v));
    if (missing.length) {
      throw new KubeSourceError(KubeSourceErrorCodes.resourceMismatch, `${key}: ${name} cannot be watched (the API server does not offer ${missing.join(' and ')})`);
    }
    if (!info.namespaced && resource.namespaces) {
      throw new KubeSourceError(KubeSourceErrorCodes.resourceMismatch, `${key}.namespaces: ${name} is cluster-scoped; remove its namespaces`);
    }
    // The top-level default applies to namespaced resources only; cluster-scoped ones are watched whole.
    const namespaces = info.namespaced ? (resource.namespaces ?? config.namespaces ?? [undefined]) : [undefined];
    for (const namespace of new Set(namespaces)) targets.push({ index, resource, namespace });
  }
  return targets;
}

/**
 * Lists one object of each target, so that a process standing by for leadership fails at start on what
 * would fail the leader (RBAC above all), rather than when it takes over.
 */
export async function checkListable(client: KubeClient, targets: readonly WatchTarget[], signal: AbortSignal): Promise<void> {
  for (const target of targets) {
    const { resource, namespace } = target;
    try {
      await client.get(collectionPath(resource, namespace), { limit: 1, labelSelector: resource.labelSelector, fieldSelector: resource.fieldSelector }, signal);
    } catch (cause) {
      throw startFailure(client, target, cause);
    }
  }
}

/** Turns the first list's failure into an error that says what to fix. */
export function startFailure(client: KubeClient, target: WatchTarget, cause: unknown): KubeSourceError {
  const where = target.namespace === undefined ? 'in all namespaces' : `in namespace "${target.namespace}"`;
  const what = `resources[${target.index}]: cannot list ${gvrString(target.resource)} ${where}`;
  if (cause instanceof KubeApiError && cause.status === 403) {
    return new KubeSourceError(KubeSourceErrorCodes.forbidden, `${what}: ${cause.message} (Herald needs list and watch on it)`, { cause });
  }
  if (cause instanceof KubeApiError && cause.status === 404) {
    return new KubeSourceError(KubeSourceErrorCodes.unknownResource, `${what}: ${cause.message}`, { cause });
  }
  return unavailable(client, what, cause);
}

function unavailable(client: KubeClient, what: string, cause: unknown): KubeSourceError {
  if (cause instanceof KubeApiError && cause.status === 401) {
    return new KubeSourceError(KubeSourceErrorCodes.kubeconfig, `${what}: the API server at ${client.server} refused the kubeconfig's credentials (401 ${cause.message})`, { cause });
  }
  const reason = cause instanceof KubeApiError ? `${cause.status} ${cause.message}` : String((cause as Error)?.message ?? cause);
  return new KubeSourceError(KubeSourceErrorCodes.unavailable, `${what}: the API server at ${client.server} failed: ${reason}`, { cause, retryable: true });
}
