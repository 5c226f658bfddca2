import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer } from '@herald/plugin-http';

/** New Relic's error text: the `title` of its error body `{"error": {"title": …}}`. */
function describe(body: string): string {
  try {
    const value = JSON.parse(body) as { error?: { title?: unknown } };
    if (typeof value.error?.title === 'string') return value.error.title;
  } catch {
    // Not New Relic's JSON (a proxy's page): its start is the best description.
  }
  return excerpt(body, 200) || 'no description';
}

/**
 * A DeliveryError for an answer other than 2xx. 429 and 5xx are retried (after `Retry-After` when sent);
 * 401 (key), 403, 404 (no such application) and 422 (a blank revision) are permanent, with New Relic's title.
 */
export function answerError(what: string, answer: ApiAnswer): DeliveryError {
  const message = `${what}: New Relic answered ${answer.status}: ${describe(answer.body)}`;
  if (!isRetryableStatus(answer.status)) return DeliveryError.permanent(message);
  return DeliveryError.transient(message, { retryAfterMs: parseRetryAfter(answer.headers['retry-after']) });
}
