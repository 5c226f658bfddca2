import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer } from '@herald/plugin-http';

const EXCERPT_CHARS = 500;

/** What PagerDuty said in an Events API error body (`{status, message, errors}`), else the body's start. */
function detail(answer: ApiAnswer): string {
  try {
    const body = JSON.parse(answer.body) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(body.errors) ? body.errors.filter((e): e is string => typeof e === 'string') : [];
    if (typeof body.message === 'string') return errors.length ? `${body.message}: ${errors.join('; ')}` : body.message;
  } catch {
    // Not PagerDuty's JSON (a proxy's page): its text is what there is.
  }
  return excerpt(answer.body, EXCERPT_CHARS);
}

/**
 * A refused event: 400 (an invalid event or routing key) and other 4xx are permanent, with PagerDuty's
 * message and errors; 429 (the integration key's rate) and 5xx are retryable, after Retry-After if sent.
 */
export function refusedError(what: string, answer: ApiAnswer): DeliveryError {
  const said = detail(answer);
  const message = `${what}: PagerDuty answered ${answer.status}${said ? `: ${said}` : ''}`;
  if (!isRetryableStatus(answer.status)) return DeliveryError.permanent(message);
  const retryAfterMs = parseRetryAfter(answer.headers['retry-after']);
  return DeliveryError.transient(message, retryAfterMs === undefined ? {} : { retryAfterMs });
}
