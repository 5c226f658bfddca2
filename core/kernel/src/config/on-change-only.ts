import type { EngineConfig } from './engine-config.schema.ts';

/**
 * Why the objects herald.yaml's sources publish are evaluated only when they change, for the notification
 * config to warn about a trigger condition that reads the clock (`time.Now()`): such a condition can become
 * true while nothing changes the object, and Argo notices because its informers resync every minute.
 * Undefined when every source of Herald's evaluates objects again as time passes (with `resyncPeriod`), or
 * when herald.yaml names none of Herald's sources: a plugin outside Herald is not known.
 * Herald's own sources are named here: a plugin has no way to tell the kernel how it evaluates objects again
 * (the SDK has no such field), so one outside Herald gives no warning.
 */
export function onChangeOnly(config: Pick<EngineConfig, 'plugins'>): string | undefined {
  if (config.plugins.some((p) => p.name === KUBERNETES_SOURCE && p.options.resyncPeriod === undefined)) {
    return 'the Kubernetes source in herald.yaml sets no resyncPeriod, so it is checked again only when the object changes, not as time passes (set resyncPeriod, e.g. 1m: Argo resyncs every minute)';
  }
  if (config.plugins.some((p) => p.name === FILE_SOURCE && p.options.resyncPeriod === undefined)) {
    return 'the file source in herald.yaml sets no resyncPeriod, so it is checked again only when the object\'s file changes, not as time passes (set resyncPeriod, e.g. 1m)';
  }
  return undefined;
}

/** Without herald.yaml (`herald config validate` given none): what the Kubernetes source does by default. */
export const ON_CHANGE_ONLY_BY_DEFAULT =
  'the Kubernetes source checks it again only when the object changes, not as time passes, unless its resyncPeriod is set (give --config to check herald.yaml)';

const KUBERNETES_SOURCE = '@herald/source-kubernetes';
const FILE_SOURCE = '@herald/source-file';
