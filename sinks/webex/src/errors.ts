import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer } from '@herald/plugin-http';

/** Webex's error text: `message` of its error body `{message, errors:[{description}], trackingId}`, with the tracking id support asks for. */
function describe(body: string): string {
  try {
    const value = JSON.parse(body) as { message?: unknown; trackingId?: unknown };
    if (typeof value.message === 'string') return `${value.message}${typeof value.trackingId === 'string' ? ` (trackingId ${value.trackingId})` : ''}`;
  } catch {
    // Not Webex's JSON (a proxy's page): its start is the best description.
  }
  return excerpt(body, 200) || 'no description';
}

/**
 * A DeliveryError for an answer other than 200. 429 and 5xx are retried (after `Retry-After` when Webex
 * sends it); 401 (token), 403, 404 (room unknown or the bot not in it) and 400 are permanent, with Webex's text.
 */
export function answerError(what: string, answer: ApiAnswer): DeliveryError {
  const message = `${what}: Webex answered ${answer.status}: ${describe(answer.body)}`;
  if (!isRetryableStatus(answer.status)) return DeliveryError.permanent(message);
  return DeliveryError.transient(message, { retryAfterMs: parseRetryAfter(answer.headers['retry-after']) });
}
