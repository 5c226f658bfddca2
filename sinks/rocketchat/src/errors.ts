import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer } from '@herald/plugin-http';

/** Rocket.Chat's error text: `error` (`… [error-room-not-found]`), else `message`, of its `{success:false}` or `{status:"error"}` body. */
function describe(body: string): string {
  try {
    const value = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof value.error === 'string' && value.error !== 'Unauthorized') return value.error;
    if (typeof value.message === 'string') return value.message;
    if (typeof value.error === 'string') return value.error;
  } catch {
    // Not Rocket.Chat's JSON (a proxy's page): its start is the best description.
  }
  return excerpt(body, 200) || 'no description';
}

/**
 * A DeliveryError for an answer that is not a success. Rocket.Chat's rate limiter answers 429 with
 * `X-RateLimit-Reset` (epoch milliseconds), measured here from the answer's `Date`; 5xx are retried; 400
 * (`error-room-not-found`, `error-not-allowed`, bad attachments), 401 and 403 are permanent, with its error.
 */
export function answerError(what: string, answer: ApiAnswer, now = Date.now()): DeliveryError {
  const message = `${what}: Rocket.Chat answered ${answer.status}: ${describe(answer.body)}`;
  if (answer.status === 429) {
    const reset = Number(answer.headers['x-ratelimit-reset']);
    const dated = Date.parse(String(answer.headers.date ?? ''));
    const retryAfterMs = Number.isFinite(reset) && reset > 0 ? Math.max(0, reset - (Number.isNaN(dated) ? now : dated)) : parseRetryAfter(answer.headers['retry-after']);
    return DeliveryError.transient(message, { retryAfterMs });
  }
  if (isRetryableStatus(answer.status)) return DeliveryError.transient(message, { retryAfterMs: parseRetryAfter(answer.headers['retry-after']) });
  return DeliveryError.permanent(message);
}
