import { startApiServer, type ApiRequest } from '../http-api/api-server.ts';

/**
 * How the fake answers sendMessage to one chat (or every chat, as the default):
 * - `ok`: the Message object, as Telegram returns it;
 * - `http-500`: Telegram's 500 `Internal Server Error` (retryable);
 * - `{ throttle: seconds }`: 429 `Too Many Requests: retry after N` with `parameters.retry_after`;
 * - `{ status, description }`: that `ok:false` answer (`400 Bad Request: chat not found`, `403 Forbidden: bot
 *   was blocked by the user`…);
 * - `hang`: read and never answered.
 */
export type TelegramBehaviour = 'ok' | 'http-500' | 'hang' | { throttle: number } | { status: number; description: string; parameters?: Record<string, unknown> };

/** A message the fake accepted. */
export interface TelegramMessage {
  chatId: string;
  text: string;
  parseMode: string | undefined;
  threadId: number | undefined;
}

export interface FakeTelegram {
  /** Base URL for a telegram service's `apiURL` (`https://api.telegram.org` in production). */
  apiUrl: string;
  /** The bot token the fake accepts; any other gets 401 Unauthorized. */
  token: string;
  requests: ApiRequest[];
  messages(chat?: string): TelegramMessage[];
  accepted(): number;
  received(count: number): Promise<void>;
  behave(behaviour: TelegramBehaviour, chat?: string): void;
  reset(): void;
  close(): Promise<void>;
}

const failure = (status: number, description: string, parameters?: Record<string, unknown>) => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

/**
 * A local Telegram Bot API: `POST /bot<token>/sendMessage` with form or JSON parameters, Telegram's
 * `{ok, result}` and `{ok:false, error_code, description, parameters}` answers, its 401 for a wrong token
 * and 404 for a malformed one, and its 429 with `parameters.retry_after` (no Retry-After header).
 */
export async function startFakeTelegram(options: { token?: string } = {}): Promise<FakeTelegram> {
  const token = options.token ?? '123456789:AAHerald-test-token_0123456789abcdef';
  const messages: TelegramMessage[] = [];
  const behaviours = new Map<string, TelegramBehaviour>();
  let fallback: TelegramBehaviour = 'ok';
  let nextId = 1;

  const api = await startApiServer((request) => {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(request.url.split('?')[0]!);
    if (!match || !/^\d+:[\w-]+$/.test(decodeURIComponent(match[1]!))) return failure(404, 'Not Found');
    if (decodeURIComponent(match[1]!) !== token) return failure(401, 'Unauthorized');
    if (match[2] !== 'sendMessage') return failure(404, 'Not Found: method not found');
    if (request.method !== 'POST' && request.method !== 'GET') return failure(405, 'Method Not Allowed');
    const params = request.params ?? {};
    const chatId = params.chat_id === undefined ? '' : String(params.chat_id);
    if (!chatId) return failure(400, 'Bad Request: chat_id is empty');
    const text = params.text === undefined ? '' : String(params.text);
    const behaviour = behaviours.get(chatId) ?? fallback;
    if (behaviour === 'hang') return 'hang';
    if (behaviour === 'http-500') return failure(500, 'Internal Server Error');
    if (typeof behaviour === 'object' && 'throttle' in behaviour) return failure(429, `Too Many Requests: retry after ${behaviour.throttle}`, { retry_after: behaviour.throttle });
    if (typeof behaviour === 'object') return failure(behaviour.status, behaviour.description, behaviour.parameters);
    if (!text) return failure(400, 'Bad Request: message text is empty');
    const parseMode = params.parse_mode === undefined ? undefined : String(params.parse_mode);
    const threadId = params.message_thread_id === undefined ? undefined : Number(params.message_thread_id);
    messages.push({ chatId, text, parseMode, threadId });
    const chat = chatId.startsWith('@') ? { id: -1001000000001, type: 'channel', username: chatId.slice(1) } : { id: Number(chatId), type: chatId.startsWith('-') ? 'supergroup' : 'private' };
    return {
      status: 200,
      body: { ok: true, result: { message_id: nextId++, date: 1_700_000_000, chat, text, ...(threadId === undefined ? {} : { message_thread_id: threadId, is_topic_message: true }) } },
    };
  });

  return {
    apiUrl: api.origin,
    token,
    requests: api.requests,
    messages: (chat) => messages.filter((m) => chat === undefined || m.chatId === chat),
    accepted: () => messages.length,
    received: api.received,
    behave(behaviour, chat) {
      if (chat === undefined) fallback = behaviour;
      else behaviours.set(chat, behaviour);
    },
    reset() {
      api.reset();
      messages.length = 0;
      behaviours.clear();
      fallback = 'ok';
    },
    close: api.close,
  };
}
