import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { excerpt, type ApiAnswer } from '@herald/plugin-http';

/** Telegram's answer to a failed call: `{ok:false, error_code, description, parameters}`. */
interface TelegramFailure {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

function parseFailure(body: string): TelegramFailure {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as TelegramFailure) : {};
  } catch {
    return {};
  }
}

/**
 * A DeliveryError for an answer that is not `ok:true`. Telegram says when to retry in the body
 * (`parameters.retry_after`, seconds) rather than a header; 5xx are retried; everything else (401 wrong
 * token, 400 `chat not found`, 403 `bot was blocked by the user`, a Markdown the API cannot parse) is
 * permanent, with Telegram's description.
 */
export function answerError(what: string, answer: ApiAnswer): DeliveryError {
  const failure = parseFailure(answer.body);
  const description = failure.description ?? (excerpt(answer.body, 200) || 'no description');
  const message = `${what}: Telegram answered ${answer.status}: ${description}`;
  const seconds = failure.parameters?.retry_after;
  if (answer.status === 429 || typeof seconds === 'number') {
    const retryAfterMs = typeof seconds === 'number' ? seconds * 1_000 : parseRetryAfter(answer.headers['retry-after']);
    return DeliveryError.transient(message, retryAfterMs === undefined ? {} : { retryAfterMs });
  }
  const migrated = failure.parameters?.migrate_to_chat_id;
  if (migrated !== undefined) return DeliveryError.permanent(`${message} (the group is now the supergroup ${migrated}: subscribe to that id)`);
  if (isRetryableStatus(answer.status)) return DeliveryError.transient(message, {});
  return DeliveryError.permanent(message);
}
