import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer as HttpAnswer } from '@herald/plugin-http';

/** Characters of the answer kept in an error. */
const EXCERPT = 300;

/** Power Automate's error text: `{"error": {"code": "WorkflowNotFound", "message": "…"}}`, else the body itself. */
function describe(body: string): string {
  try {
    const error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
    if (error && (typeof error.code === 'string' || typeof error.message === 'string')) {
      return [error.code, error.message].filter((s) => typeof s === 'string' && s !== '').join(': ');
    }
  } catch {
    // Not Power Automate's JSON (a gateway's page): the text as it is.
  }
  return excerpt(body, EXCERPT) || 'no error details provided';
}

/**
 * A DeliveryError for a workflow trigger that did not accept the request (anything but 2xx): 429 and 5xx
 * retryable (after Retry-After when sent), the rest permanent (401 bad signature, 404 workflow not found,
 * 400 schema mismatch…), with Power Automate's code and message.
 */
export function answerError(what: string, answer: HttpAnswer): DeliveryError {
  const message = `${what}: Power Automate answered HTTP ${answer.status}: ${describe(answer.body)}`;
  if (!isRetryableStatus(answer.status)) return DeliveryError.permanent(message);
  return DeliveryError.transient(message, { retryAfterMs: parseRetryAfter(answer.headers['retry-after']) });
}
