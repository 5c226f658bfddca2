import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer } from '@herald/plugin-http';

/** Grafana's error text: `message` of its error body `{message, traceID?}`. */
function describe(body: string): string {
  try {
    const value = JSON.parse(body) as { message?: unknown };
    if (typeof value.message === 'string') return value.message;
  } catch {
    // Not Grafana's JSON (a proxy's page): its start is the best description.
  }
  return excerpt(body, 200) || 'no description';
}

/**
 * A DeliveryError for an answer other than 200. 429 and 5xx are retried (after `Retry-After` when sent);
 * 401 (key), 403 (the key may not create annotations), 404 (wrong `apiUrl`) and 400 (e.g. an empty text:
 * `Failed to save annotation`) are permanent, with Grafana's message.
 */
export function answerError(what: string, answer: ApiAnswer): DeliveryError {
  const message = `${what}: Grafana answered ${answer.status}: ${describe(answer.body)}`;
  if (!isRetryableStatus(answer.status)) return DeliveryError.permanent(message);
  return DeliveryError.transient(message, { retryAfterMs: parseRetryAfter(answer.headers['retry-after']) });
}
