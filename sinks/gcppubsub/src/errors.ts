import { DeliveryError } from '@herald/plugin-sdk';

/** gRPC status codes a later attempt can get past (the API's own retry policy for Publish, and quota). */
const RETRYABLE_CODES = new Map<number, string>([
  [1, 'CANCELLED'],
  [4, 'DEADLINE_EXCEEDED'],
  [8, 'RESOURCE_EXHAUSTED'],
  [10, 'ABORTED'],
  [13, 'INTERNAL'],
  [14, 'UNAVAILABLE'],
  [2, 'UNKNOWN'],
]);
const NAMES: Record<number, string> = { 3: 'INVALID_ARGUMENT', 5: 'NOT_FOUND', 7: 'PERMISSION_DENIED', 9: 'FAILED_PRECONDITION', 11: 'OUT_OF_RANGE', 12: 'UNIMPLEMENTED', 16: 'UNAUTHENTICATED' };

/**
 * A DeliveryError for a failed publish (a gRPC error of the client, or anything else it threw). `what`
 * starts the message (`gcppubsub "events": publish to deploys`). NOT_FOUND (no such topic),
 * PERMISSION_DENIED, UNAUTHENTICATED, INVALID_ARGUMENT fail the same way again: permanent, with the
 * API's text; UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL…: retryable.
 */
export function pubsubError(what: string, err: unknown): DeliveryError {
  const code = (err as { code?: unknown }).code;
  const details = (err as { details?: unknown }).details;
  const text = typeof details === 'string' && details ? details : err instanceof Error ? err.message : String(err);
  if (typeof code !== 'number') return DeliveryError.transient(`${what}: ${text}`, { cause: err });
  const name = RETRYABLE_CODES.get(code) ?? NAMES[code] ?? `code ${code}`;
  const message = `${what}: Pub/Sub answered ${name}: ${text}`;
  if (RETRYABLE_CODES.has(code)) return DeliveryError.transient(message, { cause: err });
  return DeliveryError.permanent(message, err);
}

