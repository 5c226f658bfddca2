import { createHash } from 'node:crypto';
import { startRecordingServer, type Answer, type RecordedRequest } from './recording-server.ts';

/**
 * How Discord answers the next webhook executions:
 * - `ok`: the message is created (200 with it under `?wait=true`, else 204);
 * - `http-500`: HTTP 500 (retryable);
 * - `deleted`: HTTP 404 `Unknown Webhook` (code 10015), as for a webhook deleted in Discord (permanent);
 * - `{ throttle: seconds }`: HTTP 429 with `retry_after` in the body, `Retry-After` and the X-RateLimit headers;
 * - `hang`: read the request, never answer.
 */
export type DiscordBehaviour = 'ok' | 'http-500' | 'deleted' | 'hang' | { throttle: number };

/** A message a webhook created. */
export interface DiscordMessage {
  id: string;
  webhook: string;
  content: string;
  username?: string;
  avatar_url?: string;
  embeds: unknown[];
}

export interface FakeDiscord {
  origin: string;
  /** The URL of webhook `name` (`/api/webhooks/<id>/<token>`). */
  webhookUrl(name: string): string;
  requests: RecordedRequest[];
  messages: DiscordMessage[];
  accepted(): number;
  behave(behaviour: DiscordBehaviour): void;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeDiscordOptions {
  /** Discord's per-webhook bucket: `limit` executions per `windowMs` (default: no limit, for tests that send fast). */
  rateLimit?: { limit: number; windowMs: number };
}

const formError = (field: string, code: string, message: string) => ({ message: 'Invalid Form Body', code: 50035, errors: { [field]: { _errors: [{ code, message }] } } });

/**
 * A local Discord webhook API (`POST /api/webhooks/<id>/<token>[?wait=true]`) with Discord's JSON answers:
 * the created message, `{"message","code"}` errors (404 Unknown Webhook 10015, 401 Invalid Webhook Token
 * 50027, 400 Cannot send an empty message 50006, 400 Invalid Form Body 50035 with per-field `errors` for
 * content over 2000 characters or more than 10 embeds), and its rate limiting: every answer carries
 * `X-RateLimit-Limit/-Remaining/-Reset/-Reset-After/-Bucket`; past the bucket (when one is set), or when
 * told to throttle, HTTP 429 with `retry_after` (seconds, fractional) in the body and `Retry-After`.
 */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const webhooks = new Map<string, { name: string; token: string }>();
  const windows = new Map<string, { start: number; used: number }>();
  const messages: DiscordMessage[] = [];
  let behaviour: DiscordBehaviour = 'ok';
  let seq = 0;
  const limit = options.rateLimit?.limit ?? 5;
  const windowMs = options.rateLimit?.windowMs ?? 2_000;

  const handle = (req: RecordedRequest): Answer => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({ status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const url = new URL(req.url, 'http://localhost');
    const match = /^\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    const webhook = match ? webhooks.get(match[1]!) : undefined;
    if (req.method !== 'POST' || !match || !webhook) return json(404, { message: 'Unknown Webhook', code: 10015 });
    if (match[2] !== webhook.token) return json(401, { message: 'Invalid Webhook Token', code: 50027 });

    // The bucket of this webhook: how many executions its window has left.
    const now = Date.now();
    let window = windows.get(match[1]!);
    if (!window || now - window.start >= windowMs) windows.set(match[1]!, (window = { start: now, used: 0 }));
    const resetAfter = Math.max(0, window.start + windowMs - now) / 1_000;
    const bucket = createHash('md5').update(match[1]!).digest('hex').slice(0, 32);
    const rateHeaders = (remaining: number) => ({
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': ((window.start + windowMs) / 1_000).toFixed(3),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      'x-ratelimit-bucket': bucket,
    });
    const limited = (seconds: number) =>
      json(429, { message: 'You are being rate limited.', retry_after: seconds, global: false }, { ...rateHeaders(0), 'retry-after': String(Math.ceil(seconds)), 'x-ratelimit-scope': 'shared' });

    if (behaviour === 'hang') return 'hang';
    if (behaviour === 'http-500') return json(500, { message: '500: Internal Server Error', code: 0 });
    if (behaviour === 'deleted') return json(404, { message: 'Unknown Webhook', code: 10015 });
    if (typeof behaviour === 'object') return limited(behaviour.throttle);
    if (options.rateLimit && window.used >= limit) return limited(Number(resetAfter.toFixed(3)));
    window.used++;
    const remaining = options.rateLimit ? limit - window.used : limit;

    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return json(400, { message: 'Cannot send an empty message', code: 50006 }, rateHeaders(remaining));
    }
    const content = typeof body.content === 'string' ? body.content : '';
    const embeds = Array.isArray(body.embeds) ? body.embeds : [];
    if (content.length > 2_000) return json(400, formError('content', 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.'), rateHeaders(remaining));
    if (embeds.length > 10) return json(400, formError('embeds', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.'), rateHeaders(remaining));
    if (content === '' && embeds.length === 0) return json(400, { message: 'Cannot send an empty message', code: 50006 }, rateHeaders(remaining));

    const message: DiscordMessage = {
      id: String(1_180_000_000_000_000_000n + BigInt(++seq)),
      webhook: webhook.name,
      content,
      ...(typeof body.username === 'string' ? { username: body.username } : {}),
      ...(typeof body.avatar_url === 'string' ? { avatar_url: body.avatar_url } : {}),
      embeds,
    };
    messages.push(message);
    if (url.searchParams.get('wait') !== 'true') return { status: 204, headers: rateHeaders(remaining) };
    return json(
      200,
      {
        id: message.id,
        type: 0,
        content,
        channel_id: '1180000000000000001',
        author: { bot: true, id: match[1], username: message.username ?? webhook.name, avatar: null, discriminator: '0000' },
        attachments: [],
        embeds,
        mentions: [],
        mention_roles: [],
        pinned: false,
        mention_everyone: false,
        tts: false,
        timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
        edited_timestamp: null,
        flags: 0,
        components: [],
        webhook_id: match[1],
      },
      rateHeaders(remaining),
    );
  };

  const server = await startRecordingServer(handle);
  return {
    origin: server.origin,
    webhookUrl(name) {
      const id = String(BigInt(`0x${createHash('sha1').update(name).digest('hex').slice(0, 14)}`) + 1_100_000_000_000_000_000n);
      const token = createHash('sha256').update(`t${name}`).digest('base64url').slice(0, 68);
      webhooks.set(id, { name, token });
      return `${server.origin}/api/webhooks/${id}/${token}`;
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
      windows.clear();
      server.clear();
    },
    close: () => server.close(),
  };
}
