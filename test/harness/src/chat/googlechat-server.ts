import { createHash } from 'node:crypto';
import { startRecordingServer, type Answer, type RecordedRequest } from './recording-server.ts';

/**
 * How the Chat API answers the next webhook posts:
 * - `ok`: HTTP 200 with the created Message;
 * - `http-500`: HTTP 500 `INTERNAL` (retryable);
 * - `not-found`: HTTP 404 `NOT_FOUND`, as for a space that is gone (permanent);
 * - `{ throttle: seconds }`: HTTP 429 `RESOURCE_EXHAUSTED`, with Retry-After when seconds > 0;
 * - `hang`: read the request, never answer.
 */
export type GoogleChatBehaviour = 'ok' | 'http-500' | 'not-found' | 'hang' | { throttle: number };

/** A message the fake space accepted. */
export interface GoogleChatMessage {
  name: string;
  space: string;
  text: string;
  cards?: unknown;
  cardsV2?: unknown;
  /** `spaces/<space>/threads/<id>`. */
  thread: string;
  /** True when it went into an existing thread (by threadKey). */
  threadReply: boolean;
}

export interface FakeGoogleChat {
  origin: string;
  /** The incoming webhook URL of space `name` (`/v1/spaces/<id>/messages?key=…&token=…`). */
  webhookUrl(name: string): string;
  requests: RecordedRequest[];
  messages: GoogleChatMessage[];
  accepted(): number;
  behave(behaviour: GoogleChatBehaviour): void;
  reset(): void;
  close(): Promise<void>;
}

const MESSAGE_FIELDS = new Set(['text', 'cards', 'cardsV2', 'thread', 'fallbackText', 'accessoryWidgets', 'privateMessageViewer', 'annotations', 'attachment']);
const KEY = 'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI';

/**
 * A local Google Chat API for incoming webhooks (chat.googleapis.com is unreachable from the tests):
 * `POST /v1/spaces/<space>/messages?key=…&token=…[&threadKey=…&messageReplyOption=…]` with Google's JSON
 * answers — the created Message (with its thread) on success; `{"error":{"code","message","status"}}` for
 * a wrong token (401 UNAUTHENTICATED), an unknown space (404 NOT_FOUND), a body that is not a Message
 * (400 INVALID_ARGUMENT: not JSON, an unknown field, an empty message) — and the behaviours above. Thread
 * keys follow `messageReplyOption`: REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD replies in the key's thread or
 * starts it; without an option, every message starts a new thread.
 */
export async function startFakeGoogleChat(): Promise<FakeGoogleChat> {
  const spaces = new Map<string, { name: string; token: string }>();
  const threads = new Map<string, string>();
  const messages: GoogleChatMessage[] = [];
  let behaviour: GoogleChatBehaviour = 'ok';
  let seq = 0;

  const handle = (req: RecordedRequest): Answer => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({ status, headers: { 'content-type': 'application/json; charset=UTF-8', ...headers }, body: JSON.stringify(body, null, 2) });
    const error = (code: number, status: string, message: string, headers: Record<string, string> = {}) => json(code, { error: { code, message, status } }, headers);
    const url = new URL(req.url, 'http://localhost');
    const id = /^\/v1\/spaces\/([A-Za-z0-9_-]+)\/messages$/.exec(url.pathname)?.[1];
    const space = id === undefined ? undefined : spaces.get(id);
    if (req.method !== 'POST' || space === undefined) return error(404, 'NOT_FOUND', 'Requested entity was not found.');
    if (url.searchParams.get('key') !== KEY || url.searchParams.get('token') !== space.token) {
      return error(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    }
    if (behaviour === 'hang') return 'hang';
    if (behaviour === 'http-500') return error(500, 'INTERNAL', 'Internal error encountered.');
    if (behaviour === 'not-found') return error(404, 'NOT_FOUND', 'Requested entity was not found.');
    if (typeof behaviour === 'object') {
      return error(429, 'RESOURCE_EXHAUSTED', "Resource has been exhausted (e.g. check quota).", behaviour.throttle > 0 ? { 'retry-after': String(behaviour.throttle) } : {});
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unexpected token.');
    }
    const unknown = Object.keys(body).find((k) => !MESSAGE_FIELDS.has(k));
    if (unknown) return error(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`);
    const cards = Array.isArray(body.cards) && body.cards.length > 0;
    const cardsV2 = Array.isArray(body.cardsV2) && body.cardsV2.length > 0;
    if (!body.text && !cards && !cardsV2) return error(400, 'INVALID_ARGUMENT', 'Message cannot be empty. Discarding empty message.');

    const threadKey = url.searchParams.get('threadKey');
    const option = url.searchParams.get('messageReplyOption');
    const existing = threadKey && option && option !== 'MESSAGE_REPLY_OPTION_UNSPECIFIED' ? threads.get(`${id}/${threadKey}`) : undefined;
    if (threadKey && option === 'REPLY_MESSAGE_OR_FAIL' && !existing) return error(404, 'NOT_FOUND', 'Requested entity was not found.');
    const thread = existing ?? `spaces/${id}/threads/${createHash('sha1').update(`${id}${++seq}`).digest('base64url').slice(0, 11)}`;
    if (threadKey && !existing) threads.set(`${id}/${threadKey}`, thread);
    const message: GoogleChatMessage = {
      name: `spaces/${id}/messages/${createHash('sha1').update(`m${seq}${req.body}`).digest('base64url').slice(0, 22)}`,
      space: space.name,
      text: typeof body.text === 'string' ? body.text : '',
      ...(cards ? { cards: body.cards } : {}),
      ...(cardsV2 ? { cardsV2: body.cardsV2 } : {}),
      thread,
      threadReply: existing !== undefined,
    };
    messages.push(message);
    return json(200, {
      name: message.name,
      sender: { name: 'users/114022495153014004089', displayName: 'Herald', type: 'BOT' },
      text: message.text,
      ...(cards ? { cards: body.cards } : {}),
      ...(cardsV2 ? { cardsV2: body.cardsV2 } : {}),
      createTime: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      thread: { name: thread, ...(threadKey ? { threadKey } : {}) },
      space: { name: `spaces/${id}`, type: 'ROOM', spaceType: 'SPACE', displayName: space.name },
      ...(existing ? { threadReply: true } : {}),
      argumentText: message.text,
      formattedText: message.text,
    });
  };

  const server = await startRecordingServer(handle);
  return {
    origin: server.origin,
    webhookUrl(name) {
      const id = `AAAA${createHash('sha1').update(name).digest('base64url').slice(0, 7)}`;
      const token = createHash('sha256').update(`t${name}`).digest('base64url').slice(0, 43);
      spaces.set(id, { name, token });
      return `${server.origin}/v1/spaces/${id}/messages?key=${KEY}&token=${encodeURIComponent(token)}`;
    },
    requests: server.requests,
    messages,
    accepted: () => messages.length,
    behave(b) {
      behaviour = b;
    },
    reset() {
      behaviour = 'ok';
      messages.length = 0;
      threads.clear();
      server.clear();
    },
    close: () => server.close(),
  };
}
