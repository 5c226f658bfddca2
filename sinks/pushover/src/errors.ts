import { DeliveryError, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer } from '@herald/plugin-http';

/** Pushover asks clients to wait at least five seconds before retrying after a 5xx or a timeout. */
export const SERVER_ERROR_PAUSE_MS = 5_000;

function errorsOf(body: string): string | undefined {
  try {
    const value = JSON.parse(body) as { errors?: unknown };
    if (Array.isArray(value.errors) && value.errors.length) return value.errors.map(String).join('; ');
  } catch {
    // Pushover's 5xx have no JSON body.
  }
  return undefined;
}

/**
 * A DeliveryError for an answer other than `{status:1}`. Pushover's docs: 4xx is a request it will never
 * take (an invalid token or user key, a disabled user: permanent, with its `errors`), except 429, the
 * application's monthly quota spent (retryable once it resets, `X-Limit-App-Reset`); 5xx and no answer are
 * retried no sooner than five seconds.
 */
export function answerError(what: string, answer: ApiAnswer, now = Date.now()): DeliveryError {
  const detail = errorsOf(answer.body) ?? (excerpt(answer.body.replace(/<[^>]*>/g, ' '), 200) || 'no description');
  const message = `${what}: Pushover answered ${answer.status}: ${detail}`;
  if (answer.status === 429) {
    // The reset is a unix time: measured from the answer's own Date, so a skewed local clock does not matter.
    const reset = Number(answer.headers['x-limit-app-reset']);
    const dated = Date.parse(String(answer.headers.date ?? ''));
    const from = Number.isNaN(dated) ? now : dated;
    const retryAfterMs = Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1_000 - from) : parseRetryAfter(answer.headers['retry-after']);
    return DeliveryError.transient(`${message} (the application's monthly message quota is spent)`, { retryAfterMs });
  }
  if (answer.status >= 500) return DeliveryError.transient(message, { retryAfterMs: Math.max(SERVER_ERROR_PAUSE_MS, parseRetryAfter(answer.headers['retry-after']) ?? 0) });
  if (answer.status >= 400) return DeliveryError.permanent(message);
  // A 2xx without `status: 1`: not what the API documents; retry rather than lose the message.
  return DeliveryError.transient(message);
}
