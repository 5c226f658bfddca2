import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer } from '@herald/plugin-http';

const EXCERPT_CHARS = 500;

interface RestError {
  message: string;
  errors: string[];
}

/** The REST API's error body, `{error: {message, code, errors}}`, when it is one. */
function restError(answer: ApiAnswer): RestError | undefined {
  try {
    const error = (JSON.parse(answer.body) as { error?: { message?: unknown; errors?: unknown } }).error;
    if (typeof error?.message !== 'string') return undefined;
    return { message: error.message, errors: Array.isArray(error.errors) ? error.errors.filter((e): e is string => typeof e === 'string') : [] };
  } catch {
    return undefined;
  }
}

/**
 * PagerDuty's refusal of an incident whose `incident_key` an open incident on the service already has: the
 * incident this notification opens exists (an earlier attempt of it made it, or the same condition did).
 */
export function isOpenIncidentWithKey(answer: ApiAnswer): boolean {
  if (answer.status !== 400) return false;
  return restError(answer)?.errors.some((e) => /incident[_ ]key|dedup key/i.test(e) && /already exists/i.test(e)) ?? false;
}

/** The REST API's rate window: Retry-After when sent, else `ratelimit-reset` (seconds until the window resets). */
function throttleWait(answer: ApiAnswer): number | undefined {
  const retryAfter = parseRetryAfter(answer.headers['retry-after']);
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(answer.headers['ratelimit-reset']);
  return Number.isFinite(reset) && reset > 0 ? reset * 1_000 : undefined;
}

/**
 * A refused incident: 400 (invalid input, unknown service, bad From), 401, 403, 404 and other 4xx are
 * permanent with PagerDuty's message and errors; 429 and 5xx are retryable.
 */
export function refusedError(what: string, answer: ApiAnswer): DeliveryError {
  const error = restError(answer);
  const said = error ? `${error.message}${error.errors.length ? `: ${error.errors.join('; ')}` : ''}` : excerpt(answer.body, EXCERPT_CHARS);
  const message = `${what}: PagerDuty answered ${answer.status}${said ? `: ${said}` : ''}`;
  if (!isRetryableStatus(answer.status)) return DeliveryError.permanent(message);
  const retryAfterMs = answer.status === 429 ? throttleWait(answer) : parseRetryAfter(answer.headers['retry-after']);
  return DeliveryError.transient(message, retryAfterMs === undefined ? {} : { retryAfterMs });
}
