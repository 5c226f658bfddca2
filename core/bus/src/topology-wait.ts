import { setTimeout as delay } from 'node:timers/promises';
import { errors as natsErrors } from '@nats-io/transport-node';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { Logger } from '@herald/plugin-sdk';

/** How long to wait between tries: doubling from `initialMs` up to `maxMs`. */
export interface TopologyWaitOptions {
  initialMs: number;
  maxMs: number;
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<unknown>;
}

export const defaultTopologyWait: TopologyWaitOptions = { initialMs: 500, maxMs: 5_000 };

/**
 * Runs `attempt` (reach JetStream, create or check the streams and buckets) until it succeeds, as the
 * connection waits for a server that is not up yet. On a cluster a stream or bucket whose leader was lost
 * answers nothing until the others elect one (seconds; as long as a partition keeps a majority from
 * forming): a process started meanwhile — a replacement for one that died — waits instead of exiting.
 * What retrying cannot change (replicas the cluster cannot place, a configuration the server refuses)
 * fails at once.
 */
export async function untilTopology<T>(attempt: () => Promise<T>, logger: Logger, options: TopologyWaitOptions = defaultTopologyWait): Promise<T> {
  const sleep = options.sleep ?? delay;
  let waitMs = options.initialMs;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isTransient(err)) throw err;
      logger.warn({ err, tries, retryInMs: waitMs }, 'JetStream did not answer while setting up streams and buckets (a cluster electing leaders?): trying again');
      await sleep(waitMs);
      waitMs = Math.min(waitMs * 2, options.maxMs);
    }
  }
}

/** JetStream's "system temporarily unavailable": no meta leader yet, or a member not caught up. */
const TEMPORARILY_UNAVAILABLE = 10008;

/**
 * Whether waiting can help: a request nobody answered in time or at all, or JetStream saying it is not
 * available yet, found on the error or its causes (Herald's errors carry the client's as their cause).
 * A refusal — no room for the stream's max bytes, replicas the cluster cannot place — is not.
 */
function isTransient(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof natsErrors.TimeoutError || e instanceof natsErrors.NoRespondersError) return true;
    if (e instanceof JetStreamApiError && e.code === TEMPORARILY_UNAVAILABLE) return true;
  }
  return false;
}
