import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer as HttpAnswer } from '@herald/plugin-http';

/** Characters of an answer that is not Discord's JSON kept in an error. */
const EXCERPT = 300;

interface DiscordError {
  message?: unknown;
  code?: unknown;
  retry_after?: unknown;
  global?: unknown;
  errors?: unknown;
}

/** `content: Must be 2000 or fewer in length.` for each field error of an Invalid Form Body answer. */
function fieldErrors(errors: unknown, path: string[] = []): string[] {
  if (typeof errors !== 'object' || errors === null) return [];
  return Object.entries(errors).flatMap(([key, value]) => {
    if (key === '_errors' && Array.isArray(value)) return value.map((e) => `${path.join('.') || '(body)'}: ${String((e as { message?: unknown }).message ?? (e as { code?: unknown }).code)}`);
    return fieldErrors(value, [...path, key]);
  });
}

function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How long Discord asked to wait: the body's `retry_after` (seconds, with milliseconds), else `Retry-After`
 * (whole seconds), else `X-RateLimit-Reset-After`.
 */
function retryAfterMs(answer: HttpAnswer, error: DiscordError | undefined): number | undefined {
  if (typeof error?.retry_after === 'number' && error.retry_after >= 0) return Math.ceil(error.retry_after * 1_000);
  const header_ = parseRetryAfter(answer.headers['retry-after']);
  if (header_ !== undefined) return header_;
  const resetAfter = Number(header(answer, 'x-ratelimit-reset-after'));
  return Number.isFinite(resetAfter) && resetAfter >= 0 ? Math.ceil(resetAfter * 1_000) : undefined;
}

/**
 * A DeliveryError for an execution Discord did not accept: 429 (per-webhook, shared or global limit) and
 * 5xx retryable after the wait Discord asked for; the rest permanent with Discord's message and code
 * (404 Unknown Webhook 10015, 401 Invalid Webhook Token 50027, 400 Invalid Form Body 50035 with its field
 * errors, 400 Cannot send an empty message 50006…).
 */
export function answerError(what: string, answer: HttpAnswer): DeliveryError {
  let error: DiscordError | undefined;
  try {
    const parsed = JSON.parse(answer.body) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) error = parsed as DiscordError;
  } catch {
    // Not Discord's JSON (Cloudflare's page in front of it): the text as it is.
  }
  let detail: string;
  if (typeof error?.message === 'string') {
    const code = typeof error.code === 'number' && error.code !== 0 ? ` (code ${error.code})` : '';
    const fields = fieldErrors(error.errors);
    const scope = answer.status === 429 ? `${error.global === true ? ', global' : ''}${header(answer, 'x-ratelimit-scope') ? `, scope ${header(answer, 'x-ratelimit-scope')}` : ''}` : '';
    detail = `${error.message}${code}${scope}${fields.length ? `: ${fields.join('; ')}` : ''}`;
  } else {
    detail = excerpt(answer.body, EXCERPT) || '(no body)';
  }
  const message = `${what}: Discord answered HTTP ${answer.status}: ${detail}`;
  if (!isRetryableStatus(answer.status)) return DeliveryError.permanent(message);
  return DeliveryError.transient(message, { retryAfterMs: retryAfterMs(answer, error) });
}
