/**
 * A request from Herald's core that sources publish every object they watch again, changed or not: what
 * decides which notifications an unchanged object gets (the notification config's triggers, subscriptions,
 * default triggers or services) changed, so each object must be evaluated again. Argo's hosts get the same
 * from their periodic resync; Herald evaluates an object when it changes, and asks for one resync when the
 * config does.
 */
export interface ResyncRequest {
  /** Grows with each request (a KV revision): what a source records as the last one it served. */
  revision: number;
  /**
   * Whether objects must be published again. False for the first config an installation loads: nothing was
   * evaluated with another one (a source publishes every object at its first start anyway).
   */
  resync: boolean;
  /** What changed, for logs: e.g. `trigger.on-deployed added, subscriptions changed`. */
  reason: string;
  /** When the request was made (ISO 8601). */
  at: string;
}

/**
 * The resync requests of this Herald installation (its bus). A source serves each request with `resync` by
 * publishing every object again, as a periodic resync does; one that saves what it published to skip
 * unchanged objects at its next start (the Kubernetes source's checkpoint) records the revision it served
 * and publishes every object when a newer request is there.
 */
export interface ResyncRequests {
  /** The newest request, or undefined when none was ever made. */
  latest(): Promise<ResyncRequest | undefined>;
  /**
   * Calls `handler` with each request after revision `after` (every one when undefined), in order, until the
   * returned stop is called. A handler that throws is logged and does not stop the watch.
   */
  watch(after: number | undefined, handler: (request: ResyncRequest) => void): { stop(): void };
}
