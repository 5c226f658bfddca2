import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';

/** How one target answered or failed; `problem` is already masked. */
export interface TargetFailure {
  target: string;
  problem: string;
  retryable: boolean;
  retryAfterMs?: number;
}

/** A target's non-2xx answer: 4xx but 408/429 is the alert's or the credentials' fault, the rest may pass later. */
export function statusFailure(target: string, status: number, body: string, retryAfter: string | string[] | undefined): TargetFailure {
  const retryAfterMs = parseRetryAfter(retryAfter);
  return {
    target,
    problem: `${target} answered ${status}${body ? `: ${body}` : ''}`,
    retryable: isRetryableStatus(status),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/**
 * The error of a send no target accepted: permanent only when every target refused for good (a retry would
 * meet the same refusals); otherwise retryable after the longest Retry-After any target asked for.
 */
export function noTargetAccepted(what: string, failures: readonly TargetFailure[]): DeliveryError {
  const message = `${what}: no target accepted the alert: ${failures.map((f) => f.problem).join('; ')}`;
  if (failures.every((f) => !f.retryable)) return DeliveryError.permanent(message);
  const waits = failures.flatMap((f) => (f.retryAfterMs === undefined ? [] : [f.retryAfterMs]));
  return DeliveryError.transient(message, waits.length ? { retryAfterMs: Math.max(...waits) } : {});
}
