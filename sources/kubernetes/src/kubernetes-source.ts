import { coreServices, defineSource, isHeraldError, type BusPublisher, type Logger } from '@herald/plugin-sdk';
import { createKubeClient, gvrString, Informer, loadKubeConfig, type InformerEvent, type KubeClient } from '@herald/core-kube';
import { configSchema, type KubernetesSourceConfig } from './kubernetes-source.config.ts';
import { stripManagedFields } from './managed-fields.ts';
import { resolveResources, startFailure, type WatchTarget } from './resolve-resources.ts';
import { toResourceEvent } from './resource-event.ts';
import { sourceMetrics, type SourceMetrics } from './source-metrics.ts';

// The bus closes only at shutdown, and then stop() ends the retries; every other refusal is final.
const busClosed = 'HERALD_ERR_BUS_CLOSED';

/**
 * Watches the configured Kubernetes resources and publishes ADDED / MODIFIED / DELETED resource events:
 * one informer per resource and namespace, events of each published in order.
 */
export default defineSource({
  id: 'kubernetes',
  description: 'Watches Kubernetes resources and publishes their changes',
  sdkVersion: '^0.1.0',
  configSchema,
  deps: { publisher: coreServices.publisher, logger: coreServices.logger, meter: coreServices.meter },
  async init({ config, publisher, logger, meter }) {
    const { kc, origin } = loadKubeConfig({ ...(config.kubeconfig ? { path: config.kubeconfig } : {}), ...(config.context ? { context: config.context } : {}) });
    const client = createKubeClient(kc, { userAgent: 'herald-source-kubernetes' });
    const metrics = sourceMetrics(meter);
    const stopping = new AbortController();
    let informers: Informer[] = [];
    let stopped: Promise<void> | undefined;
    logger.info({ kubeconfig: origin, context: kc.getCurrentContext(), server: client.server }, 'kubernetes source configured');

    return {
      async start() {
        const targets = await resolveResources(client, config, stopping.signal);
        stopping.signal.throwIfAborted();
        const running = targets.map((target) => ({ target, informer: informer(target, { client, config, publisher, logger, metrics }) }));
        informers = running.map((r) => r.informer);
        const results = await Promise.allSettled(informers.map((i) => i.start()));
        const failed = results.findIndex((r) => r.status === 'rejected');
        if (failed !== -1) {
          await Promise.all(informers.map((i) => i.stop()));
          throw startFailure(client, running[failed]!.target, (results[failed] as PromiseRejectedResult).reason);
        }
        logger.info({ watching: informers.map((i) => i.description) }, `watching ${informers.length} collection(s)`);
      },
      stop() {
        return (stopped ??= (async () => {
          stopping.abort(new Error('kubernetes source stopped'));
          await Promise.all(informers.map((i) => i.stop()));
        })());
      },
    };
  },
});

interface Wiring {
  client: KubeClient;
  config: KubernetesSourceConfig;
  publisher: BusPublisher;
  logger: Logger;
  metrics: SourceMetrics;
}

/** An informer for one target that publishes each event, retrying (in order) until the bus takes it. */
function informer(target: WatchTarget, { client, config, publisher, logger, metrics }: Wiring): Informer {
  const { resource, namespace } = target;
  const attributes = { group: resource.group, version: resource.version, resource: resource.resource };
  const log = logger.child({ resource: gvrString(resource), ...(namespace === undefined ? {} : { namespace }) });

  async function publish(event: InformerEvent): Promise<void> {
    const data = toResourceEvent(resource, event);
    try {
      const receipt = await publisher.resourceEvent(data);
      metrics.published.add(1, { ...attributes, action: event.type });
      log.debug({ id: receipt.id, duplicate: receipt.duplicate, finalStateUnknown: event.finalStateUnknown }, `published ${event.type} of ${data.ref.namespace ?? ''}/${data.ref.name}`);
    } catch (err) {
      if (isHeraldError(err) && !err.retryable && err.code !== busClosed) {
        // E.g. larger than the stream's message size: no retry can change that.
        metrics.refused.add(1, { ...attributes, action: event.type });
        log.error({ err, uid: data.ref.uid, resourceVersion: data.resourceVersion }, `the bus refused ${event.type} of ${data.ref.namespace ?? ''}/${data.ref.name}: skipped`);
        return;
      }
      throw err;
    }
  }

  return new Informer({
    client,
    resource,
    ...(namespace === undefined ? {} : { namespace }),
    ...(resource.labelSelector ? { labelSelector: resource.labelSelector } : {}),
    ...(resource.fieldSelector ? { fieldSelector: resource.fieldSelector } : {}),
    pageSize: config.pageSize,
    watchTimeoutSeconds: config.watchTimeout / 1_000,
    backoff: { initialMs: config.backoff.initial, maxMs: config.backoff.max },
    transform: stripManagedFields,
    onEvent: publish,
    logger: log,
    observer: {
      listed: ({ relist }) => {
        if (relist) metrics.relists.add(1, attributes);
      },
      watchError: () => metrics.watchErrors.add(1, attributes),
      handlerError: () => metrics.publishRetries.add(1, attributes),
    },
  });
}
