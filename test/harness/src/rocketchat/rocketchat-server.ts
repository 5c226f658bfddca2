import { randomBytes } from 'node:crypto';
import { startApiServer, type ApiRequest } from '../http-api/api-server.ts';

/**
 * How the fake answers chat.postMessage to one room id or `#channel`/`@user` (or to every one, as the default):
 * - `ok`: 200 `{success:true, message}`;
 * - `http-500`: 500 `{success:false, error}`;
 * - `{ throttle: seconds }`: Rocket.Chat's rate limiter: 429 `error-too-many-requests` with `X-RateLimit-*` headers
 *   (`X-RateLimit-Reset` in epoch milliseconds, relative to the answer's `Date`);
 * - `{ status, error }`: `{success:false, error}` with that status (`error-room-not-found`, `error-not-allowed`…);
 * - `hang`: read and never answered.
 */
export type RocketChatBehaviour = 'ok' | 'http-500' | 'hang' | { throttle: number } | { status: number; error: string };

/** A message the fake accepted. */
export interface RocketChatMessage {
  roomId?: string;
  channel?: string;
  text?: string;
  alias?: string;
  emoji?: string;
  avatar?: string;
  attachments?: unknown;
  /** The user who posted it (X-User-Id). */
  userId: string;
}

export interface FakeRocketChat {
  /** For a rocketchat service's `serverUrl`. */
  serverUrl: string;
  email: string;
  password: string;
  requests: ApiRequest[];
  messages(): RocketChatMessage[];
  accepted(): number;
  /** How many logins succeeded. */
  logins(): number;
  received(count: number): Promise<void>;
  behave(behaviour: RocketChatBehaviour, recipient?: string): void;
  /** Invalidates every auth token given so far, as a logout or a token expiry does. */
  expireTokens(): void;
  reset(): void;
  close(): Promise<void>;
}

const USER_ID = 'aobEdbYhXfu5hkeqG';

/**
 * A local Rocket.Chat REST API: `POST /api/v1/login` (`user`/`username` + `password` → `userId`, `authToken`)
 * and `POST /api/v1/chat.postMessage` authenticated by `X-Auth-Token` and `X-User-Id`, with Rocket.Chat's
 * success and `{success:false, error}` bodies, 401 for a missing or expired token, and its rate limiter's 429.
 */
export async function startFakeRocketChat(options: { email?: string; password?: string } = {}): Promise<FakeRocketChat> {
  const email = options.email ?? 'herald-bot@example.com';
  const password = options.password ?? 'rc-Password-0123456789!';
  const messages: RocketChatMessage[] = [];
  const behaviours = new Map<string, RocketChatBehaviour>();
  const tokens = new Set<string>();
  let fallback: RocketChatBehaviour = 'ok';
  let logins = 0;

  const api = await startApiServer((request) => {
    const path = request.url.split('?')[0];
    const body = (request.params ?? {}) as Record<string, unknown>;
    if (request.method === 'POST' && path === '/api/v1/login') {
      const user = body.user ?? body.username;
      if (user !== email || body.password !== password) return { status: 401, body: { status: 'error', error: 'Unauthorized', message: 'Unauthorized' } };
      const authToken = randomBytes(32).toString('base64url');
      tokens.add(authToken);
      logins++;
      return { status: 200, body: { status: 'success', data: { userId: USER_ID, authToken, me: { _id: USER_ID, username: 'herald-bot', emails: [{ address: email, verified: true }] } } } };
    }
    if (request.method !== 'POST' || path !== '/api/v1/chat.postMessage') return { status: 404, body: { success: false, error: 'Not found' } };
    if (request.headers['x-user-id'] !== USER_ID || !tokens.has(request.headers['x-auth-token'] ?? '')) return { status: 401, body: { status: 'error', message: 'You must be logged in to do this.' } };
    const roomId = typeof body.roomId === 'string' ? body.roomId : undefined;
    const channel = typeof body.channel === 'string' ? body.channel : undefined;
    const recipient = roomId ?? channel;
    if (!recipient) return { status: 400, body: { success: false, error: 'Body param "roomId" or "channel" is required [error-room-not-found]', errorType: 'error-room-not-found' } };
    const behaviour = behaviours.get(recipient) ?? fallback;
    if (behaviour === 'hang') return 'hang';
    if (behaviour === 'http-500') return { status: 500, body: { success: false, error: 'Internal server error' } };
    if (typeof behaviour === 'object' && 'throttle' in behaviour) {
      const now = Math.floor(Date.now() / 1_000) * 1_000;
      const wait = behaviour.throttle;
      return {
        status: 429,
        body: { success: false, error: `Error, too many requests. Please slow down. You must wait ${wait} seconds before trying this endpoint again. [error-too-many-requests]` },
        headers: { date: new Date(now).toUTCString(), 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now + wait * 1_000) },
      };
    }
    if (typeof behaviour === 'object') return { status: behaviour.status, body: { success: false, error: behaviour.error } };
    const text = typeof body.text === 'string' ? body.text : undefined;
    if (!text && !body.attachments) return { status: 400, body: { success: false, error: 'The message must have text or attachments' } };
    const pick = (field: string) => (typeof body[field] === 'string' ? { [field]: body[field] as string } : {});
    const message: RocketChatMessage = { ...pick('roomId'), ...pick('channel'), ...pick('text'), ...pick('alias'), ...pick('emoji'), ...pick('avatar'), ...(body.attachments === undefined ? {} : { attachments: body.attachments }), userId: USER_ID };
    messages.push(message);
    return {
      status: 200,
      body: { ts: 1_700_000_000_000 + messages.length, channel: channel ?? roomId, message: { _id: `msg${messages.length}`, rid: roomId ?? 'GENERAL', msg: text ?? '', alias: message.alias, u: { _id: USER_ID, username: 'herald-bot' } }, success: true },
    };
  });

  return {
    serverUrl: api.origin,
    email,
    password,
    requests: api.requests,
    messages: () => [...messages],
    accepted: () => messages.length,
    logins: () => logins,
    received: api.received,
    behave(behaviour, recipient) {
      if (recipient === undefined) fallback = behaviour;
      else behaviours.set(recipient, behaviour);
    },
    expireTokens: () => tokens.clear(),
    reset() {
      api.reset();
      messages.length = 0;
      behaviours.clear();
      fallback = 'ok';
      logins = 0;
    },
    close: api.close,
  };
}
