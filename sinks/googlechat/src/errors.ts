import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer as HttpAnswer } from '@herald/plugin-http';

/** Characters of an answer that is not Google's JSON kept in an error. */
const EXCERPT = 300;

interface GoogleError {
  code?: unknown;
  message?: unknown;
  status?: unknown;
}

/** Google's `{"error": {"code", "message", "status"}}` of an answer, if it is one. */
export function googleError(body: string): GoogleError | undefined {
  try {
    const error = (JSON.parse(body) as { error?: unknown } | null)?.error;
    return typeof error === 'object' && error !== null ? (error as GoogleError) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A DeliveryError for an answer that is not a created Message: 429 (RESOURCE_EXHAUSTED) and 5xx retryable,
 * after Retry-After when Google sent one; the rest (400 INVALID_ARGUMENT, 401/403 for a wrong key or token,
 * 404 for a space that is gone) permanent, with Google's status and message.
 */
export function answerError(what: string, answer: HttpAnswer): DeliveryError {
  const error = googleError(answer.body);
  let detail: string;
  if (error) detail = [error.status, error.message].filter((s) => typeof s === 'string' && s !== '').join(': ');
  else {
    detail = excerpt(answer.body, EXCERPT) || '(no body)';
  }
  const message = `${what}: Google Chat answered HTTP ${answer.status}: ${detail}`;
  // A 2xx with an error in it is what Argo looks for; Google says which kind in the error's code.
  const status = answer.status >= 200 && answer.status <= 299 && typeof error?.code === 'number' ? error.code : answer.status;
  if (!isRetryableStatus(status)) return DeliveryError.permanent(message);
  return DeliveryError.transient(message, { retryAfterMs: parseRetryAfter(answer.headers['retry-after']) });
}
