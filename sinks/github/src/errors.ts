import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';

/** GitHub's advice for a secondary rate limit answered without Retry-After: wait at least a minute. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;

interface OctokitError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/** GitHub's error text: the body's `message` (and a validation error's first detail). */
function githubMessage(err: OctokitError): string {
  const data = err.response?.data as { message?: unknown; errors?: { message?: unknown; code?: unknown }[] } | undefined;
  const message = typeof data?.message === 'string' ? data.message : (err.message ?? 'unknown error');
  const detail = data?.errors?.[0];
  const extra = detail && typeof detail.message === 'string' ? ` (${detail.message})` : '';
  return `${message.split('\n').filter(Boolean).join(' ')}${extra}`;
}

/**
 * A DeliveryError for a failed GitHub API call (an @octokit/request-error, or anything else the client
 * threw). `what` starts the message (`github "github": create commit status on acme/web@abc123`). Rate
 * limits are retryable after what GitHub asked (Retry-After, or x-ratelimit-reset when none remain); other
 * 401, 403, 404 and 422 answers fail the same way again: permanent, with GitHub's message.
 */
export function githubError(what: string, err: unknown, now: number): DeliveryError {
  const e = (err ?? {}) as OctokitError;
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status === undefined || !e.response) {
    // No answer: the client could not reach GitHub (octokit reports a failed fetch with status 500 and no response).
    const text = err instanceof Error ? err.message : String(err);
    return DeliveryError.transient(`${what}: ${text}`, { cause: err });
  }
  const headers = e.response.headers ?? {};
  const message = `${what}: GitHub answered ${status}: ${githubMessage(e)}`;
  const retryAfter = parseRetryAfter(headers['retry-after'] === undefined ? undefined : String(headers['retry-after']));
  const remaining = headers['x-ratelimit-remaining'];
  const reset = Number(headers['x-ratelimit-reset']);
  if (status === 403 || status === 429) {
    if (retryAfter !== undefined) return DeliveryError.transient(message, { cause: err, retryAfterMs: retryAfter });
    if (String(remaining) === '0' && Number.isFinite(reset)) return DeliveryError.transient(message, { cause: err, retryAfterMs: Math.max(0, reset * 1000 - now) });
    if (status === 429 || /secondary rate limit/i.test(githubMessage(e))) return DeliveryError.transient(message, { cause: err, retryAfterMs: SECONDARY_LIMIT_WAIT_MS });
  }
  if (isRetryableStatus(status)) return DeliveryError.transient(message, { cause: err, retryAfterMs: retryAfter });
  return DeliveryError.permanent(message, err);
}

