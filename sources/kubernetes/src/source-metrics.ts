import type { coreServices, ResolvedDeps } from '@herald/plugin-sdk';

type Meter = ResolvedDeps<{ meter: typeof coreServices.meter }>['meter'];
type Counter = ReturnType<Meter['createCounter']>;

export interface SourceMetrics {
  /** Attributes group, version, resource, action. */
  published: Counter;
  /** Events the bus refused as they were (then published reduced, or dead-lettered). */
  refused: Counter;
  /** Events published without part of their object; extra attribute `reduction`. */
  reduced: Counter;
  /** MODIFIED events not published: nothing changed but ignored annotations. */
  unchanged: Counter;
  /** Events sent to the dead letters instead; extra attribute `reason` (`depth` or `refused`). */
  deadLettered: Counter;
  /** Lists after 410 Gone. */
  relists: Counter;
  /** Resyncs: periodic (`resyncPeriod`), or asked for when the notification config changed. */
  resyncs: Counter;
  /** Failed lists and watches (each retried after a backoff). */
  watchErrors: Counter;
  /** Watches that ended and started again; extra attribute `reason` (`closed`, `gone`, `short`, `stalled`, `resync`). */
  watchRestarts: Counter;
  /** Failed publishes (each retried after a backoff). */
  publishRetries: Counter;
}

/** `herald.source.kubernetes.is_leader`: 1 while this process publishes (holds the Lease, or runs without leader election), else 0. */
export function observeLeadership(meter: Meter, publishing: () => boolean): void {
  meter
    .createObservableGauge('herald.source.kubernetes.is_leader', { description: 'Whether this process publishes: 1 while it holds the leader-election Lease (or runs without leader election), else 0' })
    .addCallback((result) => result.observe(publishing() ? 1 : 0));
}

export function sourceMetrics(meter: Meter): SourceMetrics {
  return {
    published: meter.createCounter('herald.source.kubernetes.events.published', { description: 'Resource events published to the bus' }),
    refused: meter.createCounter('herald.source.kubernetes.events.refused', { description: 'Resource events the bus refused as they were (then published reduced, or dead-lettered)' }),
    reduced: meter.createCounter('herald.source.kubernetes.events.reduced', { description: 'Resource events published without part of their object, to fit the bus' }),
    unchanged: meter.createCounter('herald.source.kubernetes.events.unchanged', { description: 'MODIFIED events not published: nothing changed but the ignored annotations (Herald\'s own notified annotation), resourceVersion and managedFields' }),
    deadLettered: meter.createCounter('herald.source.kubernetes.events.dead_lettered', { description: 'Resource events sent to the dead letters instead of the events stream' }),
    relists: meter.createCounter('herald.source.kubernetes.relists', { description: 'Relists after the watched resourceVersion expired (410 Gone)' }),
    resyncs: meter.createCounter('herald.source.kubernetes.resyncs', { description: 'Resyncs (resyncPeriod, or asked for when the notification config changed): lists that published every object, unchanged ones too' }),
    watchErrors: meter.createCounter('herald.source.kubernetes.watch.errors', { description: 'Failed lists and watches, retried with backoff' }),
    watchRestarts: meter.createCounter('herald.source.kubernetes.watch.restarts', { description: 'Watches that ended and started again, by reason: closed (the server timeout), gone (410, relisted), short, stalled, resync (ended for a resync)' }),
    publishRetries: meter.createCounter('herald.source.kubernetes.publish.retries', { description: 'Failed publishes, retried with backoff' }),
  };
}
