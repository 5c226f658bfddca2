import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer as HttpAnswer } from '@herald/plugin-http';

/** Characters of the connector's answer kept in an error. */
const EXCERPT = 300;

// A connector that could not hand the card to Teams still answers HTTP 200, with the failure in the body:
// "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId …".
const DELIVERY_FAILED = /returned HTTP error (\d{3})/;

/** Teams' throttling answers carry no Retry-After; a few seconds lets its per-second window pass. */
const THROTTLED_RETRY_MS = 5_000;

/**
 * A DeliveryError for an answer that is not the connector's `1`. The failure reported in a 200's body
 * decides by its status like any other: 429 and 5xx retryable (after Retry-After when sent), the rest
 * (400 "Summary or Text is required.", 404/410 for a removed connector, 413…) permanent with the text.
 */
export function answerError(what: string, answer: HttpAnswer): DeliveryError {
  const text = excerpt(answer.body, EXCERPT) || '(no body)';
  const reported = answer.status >= 200 && answer.status <= 299 ? DELIVERY_FAILED.exec(answer.body) : null;
  const status = reported ? Number(reported[1]) : answer.status;
  const message = `${what}: Teams answered HTTP ${answer.status}: ${text}`;
  if (answer.status >= 200 && answer.status <= 299 && !reported) return DeliveryError.permanent(`${message} (expected 1)`);
  if (!isRetryableStatus(status)) return DeliveryError.permanent(message);
  const retryAfterMs = parseRetryAfter(answer.headers['retry-after']) ?? (status === 429 ? THROTTLED_RETRY_MS : undefined);
  return DeliveryError.transient(message, { retryAfterMs });
}
