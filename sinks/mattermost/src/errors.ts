import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer as HttpAnswer } from '@herald/plugin-http';

/** Characters of an answer that is not Mattermost's JSON kept in an error. */
const EXCERPT = 300;

/**
 * A DeliveryError for a post Mattermost did not create: 429 (its rate limiter) and 5xx retryable, after
 * Retry-After (or X-Ratelimit-Reset); the rest permanent (401 bad token, 403 no permission in the channel,
 * 400 invalid channel id…), with Mattermost's message and error id.
 */
export function answerError(what: string, answer: HttpAnswer): DeliveryError {
  let detail: string | undefined;
  try {
    const error = JSON.parse(answer.body) as { id?: unknown; message?: unknown } | null;
    if (typeof error?.message === 'string') detail = `${error.message}${typeof error.id === 'string' ? ` (${error.id})` : ''}`;
  } catch {
    // Not Mattermost's JSON (its rate limiter, a proxy): the text as it is.
  }
  if (detail === undefined) {
    detail = excerpt(answer.body, EXCERPT) || '(no body)';
  }
  const message = `${what}: Mattermost answered HTTP ${answer.status}: ${detail}`;
  if (!isRetryableStatus(answer.status)) return DeliveryError.permanent(message);
  const reset = answer.headers['x-ratelimit-reset'];
  return DeliveryError.transient(message, { retryAfterMs: parseRetryAfter(answer.headers['retry-after']) ?? parseRetryAfter(reset) });
}
