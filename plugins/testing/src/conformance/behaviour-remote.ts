import type { ConformanceRemote, RemoteFailure } from './run-sink-conformance.ts';

/** A local server that fakes a sink's API: it fails the next requests the way it is told, until reset. */
export interface BehavingServer<B> {
  behave(behaviour: B): void;
  reset(): void;
  accepted(): number;
}

/**
 * The ConformanceRemote of a fake API server: each failure the kit asks for is the server's behaviour from
 * `behaviours` (`throttle` gets the Retry-After the kit wants). A failure with no behaviour is one the
 * server cannot make: the kit skips its check.
 */
export function behaviourRemote<B>(server: BehavingServer<B>, behaviours: Partial<Record<RemoteFailure, (retryAfterMs?: number) => B>>): ConformanceRemote {
  return {
    reset: () => server.reset(),
    failNext: (kind, options) => {
      const make = behaviours[kind];
      if (!make) throw new Error(`the fake server cannot fail as "${kind}"`);
      server.behave(make(options?.retryAfterMs));
    },
    accepted: () => server.accepted(),
    failures: (Object.keys(behaviours) as RemoteFailure[]).filter((k) => behaviours[k] !== undefined),
  };
}
