import { HeraldError } from '@herald/plugin-sdk';
import { HandBackError } from '@herald/core-bus';

export const DeliveryErrorCodes = {
  /** A notification not sent because its destination's circuit breaker is open (counted as a failed attempt). */
  circuitOpen: 'HERALD_ERR_SINK_CIRCUIT_OPEN',
  /** A notification for a service type no listed sink delivers, dead-lettered after a grace period. */
  noSink: 'HERALD_ERR_SINK_NONE_FOR_TYPE',
} as const;

/**
 * A notification that is not sent now (its destination is rate limited, busy or paused) goes back to the
 * bus and comes again after `retryAfterMs`: no attempt is counted, nothing is dead-lettered or reported.
 */
export class StepAsideError extends HandBackError {
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number) {
    super(message);
    this.name = 'StepAsideError';
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A failed attempt at a notification as the sink runner hands it to the bus: the failure's code, message and
 * retryability, the delay before the next attempt (the destination's Retry-After, or the service's
 * backoff), and whether it was the last attempt its retry policy allows (the bus then dead-letters it).
 */
export class SendFailedError extends HeraldError {
  readonly retryAfterMs: number | undefined;
  readonly lastAttempt: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retryable: boolean; retryAfterMs?: number; lastAttempt?: boolean }) {
    super(code, message, options);
    this.name = 'SendFailedError';
    this.retryAfterMs = options.retryAfterMs;
    this.lastAttempt = options.lastAttempt ?? false;
  }
}
