import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer } from '@herald/plugin-http';

const EXCERPT_CHARS = 500;

/** What Opsgenie said (`{message, errors: {field: text}, requestId}`), else the body's start. */
function detail(answer: ApiAnswer): string {
  try {
    const body = JSON.parse(answer.body) as { message?: unknown; errors?: unknown; requestId?: unknown };
    if (typeof body.message === 'string') {
      const errors = typeof body.errors === 'object' && body.errors !== null ? Object.entries(body.errors).map(([field, text]) => `${field}: ${String(text)}`) : [];
      const request = typeof body.requestId === 'string' ? ` (requestId ${body.requestId})` : '';
      return `${body.message}${errors.length ? ` ${errors.join('; ')}` : ''}${request}`;
    }
  } catch {
    // Not Opsgenie's JSON (a proxy's page): its text is what there is.
  }
  return excerpt(answer.body, EXCERPT_CHARS);
}

/** Opsgenie's throttling says how long its rate window is, in seconds; a Retry-After wins when sent. */
function throttleWait(answer: ApiAnswer): number | undefined {
  const retryAfter = parseRetryAfter(answer.headers['retry-after']);
  if (retryAfter !== undefined) return retryAfter;
  const period = Number(answer.headers['x-ratelimit-period-in-sec']);
  return Number.isFinite(period) && period > 0 ? period * 1_000 : undefined;
}

/**
 * A refused alert: 401 (unknown key), 403 (no create access), 422 (invalid alert) and other 4xx are
 * permanent, with Opsgenie's message, errors and request id; 429 and 5xx are retryable.
 */
export function refusedError(what: string, answer: ApiAnswer): DeliveryError {
  const said = detail(answer);
  const message = `${what}: Opsgenie answered ${answer.status}${said ? `: ${said}` : ''}`;
  if (!isRetryableStatus(answer.status)) return DeliveryError.permanent(message);
  const retryAfterMs = answer.status === 429 ? throttleWait(answer) : parseRetryAfter(answer.headers['retry-after']);
  return DeliveryError.transient(message, retryAfterMs === undefined ? {} : { retryAfterMs });
}
