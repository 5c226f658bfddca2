import { isBusClosed, isHeraldError, type BusPublisher, type Logger, type ResyncRequest, type ResyncRequests } from '@herald/plugin-sdk';
import { collectionDescription, gvrString, Informer, type InformerEvent, type KubeClient, type KubeObject } from '@herald/core-kube';
import type { SourceCheckpoint } from './checkpoint.ts';
import type { KubernetesSourceConfig } from './kubernetes-source.config.ts';
import { stripManagedFields } from './managed-fields.ts';
import { ObjectChanges } from './object-changes.ts';
import { tombstone } from './object-reductions.ts';
import type { PublishGate } from './publish-gate.ts';
import { startFailure, type WatchTarget } from './resolve-resources.ts';
import { publishEvent, type EventPublishing } from './event-publisher.ts';
import type { SourceMetrics } from './source-metrics.ts';

export interface Wiring {
  client: KubeClient;
  config: KubernetesSourceConfig;
  publisher: BusPublisher;
  logger: Logger;
  metrics: SourceMetrics;
  tracer?: EventPublishing['tracer'];
  /** Every publish waits until it is open. */
  gate: PublishGate;
  /** `checkpoint: true`: a checkpoint for each set, which its start claims and its stop saves. */
  checkpoint?: () => SourceCheckpoint;
  /** Herald's requests to publish every object again (the notification config changed). */
  requests: ResyncRequests;
  /** How long after the last request a resync starts (further requests meanwhile make one resync). */
  resyncSettleMs?: number;
}

/**
 * Wait after a resync request before resyncing: other evaluators load the new config too (each watches the
 * ConfigMap), and the edits of one change (the ConfigMap, then its Secret) come as one resync.
 */
const RESYNC_SETTLE_MS = 2_000;

/**
 * One informer per target, started and stopped together. Used once: a new term of leadership makes a new set.
 * With a checkpoint, the start claims it and each informer's first list compares with what it says was published;
 * the stop saves what the informers had published (see checkpoint.ts).
 */
export class WatchSet {
  readonly #targets: readonly WatchTarget[];
  readonly #wiring: Wiring;
  readonly #checkpoint: SourceCheckpoint | undefined;
  #informers: Informer[] | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  /** The newest resync request seen, and the newest whose resync handed every object over (see `save`). */
  #requested: ResyncRequest | undefined;
  #served: number | undefined;
  #watchingRequests: { stop(): void } | undefined;
  #settle: NodeJS.Timeout | undefined;
  #resyncing: Promise<void> | undefined;

  constructor(targets: readonly WatchTarget[], wiring: Wiring) {
    this.#targets = targets;
    this.#wiring = wiring;
    this.#checkpoint = wiring.checkpoint?.();
  }

  /** `pods.v1 in namespace "x"`, one per informer. */
  get descriptions(): string[] {
    return this.#targets.map((t) => collectionDescription(t.resource, t.namespace));
  }

  /** The collections whose first list is not published yet (`/readyz`: the source is synced when none). */
  get unsynced(): string[] {
    if (!this.#informers) return this.descriptions;
    return this.#informers.filter((i) => !i.hasSynced()).map((i) => i.description);
  }

  /** The revision of the newest resync request whose objects are all published again (saved with a checkpoint). */
  get served(): number | undefined {
    return this.#served;
  }

  /** Starts every informer; when one cannot list, stops them all and rejects with what to fix. */
  start(): Promise<void> {
    return (this.#starting ??= this.#start());
  }

  async #start(): Promise<void> {
    const requested = await this.#wiring.requests.latest().catch((err: unknown) => {
      this.#wiring.logger.warn({ err }, 'cannot read the resync requests: watching them from the next one');
      return undefined;
    });
    // Whatever the first list publishes, every request up to this one is served once it is on the bus: a
    // checkpoint saved before it is not used (claim), and without one every object is published.
    this.#requested = requested;
    this.#served = requested?.revision;
    const known = await this.#checkpoint?.claim(requested?.revision);
    // Stopped while claiming: the stop saves nothing (there are no informers), and the claim goes unused.
    if (this.#stopping) return;
    const informers = this.#targets.map((target) => informer(target, this.#wiring, known?.get(checkpointKey(target))));
    this.#informers = informers;
    this.#watchingRequests = this.#wiring.requests.watch(requested?.revision, (request) => this.#onRequest(request));
    const results = await Promise.allSettled(informers.map((i) => i.start()));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed === -1) return;
    await this.stop();
    throw startFailure(this.#wiring.client, this.#targets[failed]!, (results[failed] as PromiseRejectedResult).reason);
  }

  /**
   * Ends every list and watch and waits for a publish in flight; then, with a checkpoint, saves what was
   * published of each collection (what was known and not listed yet included: that is still true). Idempotent.
   */
  stop(): Promise<void> {
    return (this.#stopping ??= (async () => {
      this.#watchingRequests?.stop();
      clearTimeout(this.#settle);
      const informers = this.#informers ?? [];
      await Promise.all(informers.map((i) => i.stop()));
      await this.#resyncing;
      const checkpoint = this.#checkpoint;
      if (checkpoint && this.#informers) await checkpoint.save(new Map(informers.map((i, n) => [checkpointKey(this.#targets[n]!), i.taken()])), this.#served);
    })());
  }

  /**
   * A resync request: every object is published again once the requests settle. One that asks for no resync
   * (the first config of an installation, parts only removed) is served at once, unless a resync is to come.
   */
  #onRequest(request: ResyncRequest): void {
    if (this.#stopping) return;
    const resyncPending = this.#requested !== undefined && this.#requested.revision !== this.#served;
    this.#requested = request;
    // No resync asked for: served now, or by the resync still to come (it serves the newest request).
    if (!request.resync) {
      if (!resyncPending) this.#served = request.revision;
      return;
    }
    this.#wiring.logger.info({ revision: request.revision, reason: request.reason }, `resync asked for (${request.reason}): publishing every object again`);
    clearTimeout(this.#settle);
    this.#settle = setTimeout(() => {
      this.#settle = undefined;
      const previous = this.#resyncing ?? Promise.resolve();
      this.#resyncing = previous.then(() => this.#resync());
    }, this.#wiring.resyncSettleMs ?? RESYNC_SETTLE_MS);
  }

  /** Resyncs every informer for the newest request; it is served once each handed every object over. */
  async #resync(): Promise<void> {
    const target = this.#requested?.revision;
    if (target === undefined || target === this.#served || this.#stopping) return;
    const done = await Promise.all((this.#informers ?? []).map((i) => i.resync()));
    if (!done.every(Boolean)) return;
    this.#served = Math.max(this.#served ?? 0, target);
    this.#wiring.logger.info({ revision: target }, 'resynced: every object published again for the notification config');
  }
}

/** What a checkpoint names a target by: its collection and selectors (another selector, other objects). */
function checkpointKey({ resource, namespace }: WatchTarget): string {
  const selectors = [resource.labelSelector && `labels ${resource.labelSelector}`, resource.fieldSelector && `fields ${resource.fieldSelector}`].filter(Boolean);
  return [collectionDescription(resource, namespace), ...selectors].join('; ');
}

/** Too large, not encodable: no retry can change that. */
function refusedForGood(err: unknown): boolean {
  return isHeraldError(err) && !err.retryable && !isBusClosed(err);
}

/**
 * An informer for one target that publishes each event, retrying until the bus takes it or dead-letters it:
 * up to maxInFlight at once, those of one object one at a time and in order.
 */
function informer(target: WatchTarget, { client, config, publisher, logger, metrics, gate, tracer }: Wiring, known: KubeObject[] | undefined): Informer {
  const { resource, namespace } = target;
  const attributes = { group: resource.group, version: resource.version, resource: resource.resource };
  const log = logger.child({ resource: gvrString(resource), ...(namespace === undefined ? {} : { namespace }) });

  const publishing = { resource, publisher, metrics, log, refusedForGood, ...(tracer ? { tracer } : {}) };
  const changes = new ObjectChanges(config.ignoredAnnotations);
  async function publish(event: InformerEvent, { signal }: { signal: AbortSignal }): Promise<void> {
    // A resync hands unchanged objects over on purpose: publishing them is what it is for.
    if (event.previous && event.resync === undefined && !changes.changed(event.previous, event.kept ?? changes.keep(event.object))) {
      metrics.unchanged.add(1, attributes);
      return;
    }
    // Not the leader (any more): hold the event, and with it the watch, until this process leads again.
    await gate.wait(signal);
    // A DELETED found by a relist carries what the informer kept of the object: which object it was.
    await publishEvent(event.finalStateUnknown ? { ...event, object: tombstone(event.object) } : event, publishing);
  }

  return new Informer({
    client,
    resource,
    ...(namespace === undefined ? {} : { namespace }),
    ...(resource.labelSelector ? { labelSelector: resource.labelSelector } : {}),
    ...(resource.fieldSelector ? { fieldSelector: resource.fieldSelector } : {}),
    pageSize: config.pageSize,
    maxInFlight: config.maxInFlight,
    watchTimeoutSeconds: config.watchTimeout / 1_000,
    ...(config.resyncPeriod === undefined ? {} : { resyncPeriodMs: config.resyncPeriod }),
    backoff: { baseMs: config.backoff.initial, maxMs: config.backoff.max },
    transform: stripManagedFields,
    keep: changes.keep,
    ...(known ? { known } : {}),
    onEvent: publish,
    logger: log,
    observer: {
      listed: ({ relist, resync }) => {
        if (relist) metrics.relists.add(1, attributes);
        if (resync) metrics.resyncs.add(1, attributes);
      },
      watchError: () => metrics.watchErrors.add(1, attributes),
      watchEnded: (reason) => metrics.watchRestarts.add(1, { ...attributes, reason }),
      handlerError: () => metrics.publishRetries.add(1, attributes),
    },
  });
}
