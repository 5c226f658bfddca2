import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { ErrorCode, type WebAPICallError } from '@slack/web-api';

/**
 * Slack `ok:false` errors that a later attempt of the same call can get past. Everything else Slack
 * refuses (`channel_not_found`, `not_in_channel`, `invalid_auth`, `account_inactive`, `invalid_blocks`,
 * `msg_too_long`…) is a property of the request or the workspace: dead-lettered with the error.
 */
const RETRYABLE_SLACK_ERRORS = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** Slack's own answer when it asked to slow down without a Retry-After: a second, as its docs suggest. */
const DEFAULT_RATELIMIT_MS = 1_000;

/**
 * A DeliveryError for a failed Web API call. `what` starts the message (`slack "alerts": chat.postMessage
 * to #ops`); the token is never in it (the client never puts it in an error; callers scrub anyway).
 */
export function callError(what: string, err: unknown): DeliveryError {
  const coded = err as Partial<WebAPICallError> & { code?: unknown };
  switch (coded.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = (err as { retryAfter: number }).retryAfter;
      return DeliveryError.transient(`${what}: Slack answered HTTP 429 (rate limited), retry after ${seconds}s`, { cause: err, retryAfterMs: seconds * 1_000 });
    }
    case ErrorCode.PlatformError: {
      const data = (err as { data: { error: string; response_metadata?: { retryAfter?: number } } }).data;
      const slackError = data.error;
      if (slackError === 'ratelimited' || slackError === 'rate_limited') {
        const seconds = data.response_metadata?.retryAfter;
        return DeliveryError.transient(`${what}: Slack refused: ${slackError}`, { cause: err, retryAfterMs: seconds === undefined ? DEFAULT_RATELIMIT_MS : seconds * 1_000 });
      }
      if (RETRYABLE_SLACK_ERRORS.has(slackError)) return DeliveryError.transient(`${what}: Slack refused: ${slackError}`, { cause: err });
      return DeliveryError.permanent(`${what}: Slack refused: ${slackError}`, err);
    }
    case ErrorCode.HTTPError: {
      const http = err as { statusCode: number; headers: Record<string, string> };
      const message = `${what}: Slack answered HTTP ${http.statusCode}`;
      if (!isRetryableStatus(http.statusCode)) return DeliveryError.permanent(message, err);
      return DeliveryError.transient(message, { cause: err, retryAfterMs: parseRetryAfter(http.headers['retry-after']) });
    }
    case ErrorCode.RequestError: {
      const original = (err as { original?: Error }).original;
      return DeliveryError.transient(`${what}: request failed: ${original?.message ?? 'unknown error'}`, { cause: err });
    }
    default: {
      // A 429 whose Retry-After the client could not read ends here as a plain Error: still a rate limit.
      const message = err instanceof Error ? err.message : String(err);
      if (/rate limit|retry header/i.test(message)) return DeliveryError.transient(`${what}: Slack answered HTTP 429 (rate limited)`, { cause: err, retryAfterMs: DEFAULT_RATELIMIT_MS });
      return DeliveryError.transient(`${what}: ${message}`, { cause: err });
    }
  }
}

