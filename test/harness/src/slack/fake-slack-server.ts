import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the fake answers one channel's calls (or every call, as the default):
 * - `ok`: Slack's success payload;
 * - `http-500`: an HTTP 500 with no Slack body (retryable);
 * - `{ error }`: HTTP 200 with `ok:false` and that Slack error (`internal_error` is retryable,
 *   `channel_not_found`, `invalid_auth`… are permanent; `ratelimited` asks to retry later);
 * - `{ throttle: seconds }`: HTTP 429 with `Retry-After`;
 * - `hang`: the request is read and never answered (until the server closes).
 */
export type SlackBehaviour = 'ok' | 'http-500' | 'hang' | { error: string } | { throttle: number };

/** One Web API call as the fake received it. */
export interface SlackRequest {
  method: string;
  /** `Authorization` header as sent. */
  authorization: string | undefined;
  contentType: string | undefined;
  /** Parameters (form or JSON body); fields Slack takes as JSON text in a form (blocks, attachments, metadata) are parsed. */
  params: Record<string, unknown>;
  /** What the fake answered: the HTTP status. 0 while it hangs. */
  status: number;
}

/** A message the fake accepted, as a Slack client would see it in the channel. */
export interface SlackMessage {
  ts: string;
  channel: string;
  text: string;
  thread_ts?: string;
  blocks?: unknown;
  attachments?: unknown;
  username?: string;
  metadata?: unknown;
  /** Times chat.update edited it. */
  edits: number;
}

export interface FakeSlack {
  /** Base URL to give a service's `apiURL`. */
  apiUrl: string;
  /** The bot token the fake accepts; any other one gets `invalid_auth`. */
  token: string;
  requests: SlackRequest[];
  /** Messages accepted by chat.postMessage, by channel ID, in order. */
  messages(channel?: string): SlackMessage[];
  /** Resolves once the fake has received `count` requests in all (answered or not). */
  received(count: number): Promise<void>;
  /** How many chat.postMessage calls were accepted. */
  accepted(): number;
  /** Sets how calls to `channel` (a name or ID) are answered; without a channel, the default for all. */
  behave(behaviour: SlackBehaviour, channel?: string): void;
  /**
   * Enforces Slack's posting limit per channel (about one message a second, short bursts allowed) as a token
   * bucket: a `chat.postMessage` past it is answered 429 with `Retry-After: 1`, as Slack does. Undefined: off.
   */
  limitPosting(limit: { perSecond: number; burst: number } | undefined): void;
  /** Forgets requests, messages and behaviours (channel IDs stay). */
  reset(): void;
  /** The ID the fake gave a channel name (`ops` and `#ops` are the same channel). */
  channelId(name: string): string;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata']);

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').startsWith('application/json')) return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const params: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    if (JSON_FIELDS.has(k)) {
      try {
        params[k] = JSON.parse(v);
        continue;
      } catch {
        // Slack answers invalid JSON in these with an error; the fake keeps the text for the test to see.
      }
    }
    params[k] = v === 'true' ? true : v === 'false' ? false : v;
  }
  return params;
}

/**
 * A local Slack Web API (api.slack.com is unreachable from the tests): `auth.test`, `chat.postMessage`,
 * `chat.update`, `conversations.info`, with Slack's request shapes (form or JSON body, bearer token), its
 * success payloads and its `ok:false` and 429 answers, each controllable per channel.
 */
export async function startFakeSlack(options: { token?: string } = {}): Promise<FakeSlack> {
  const token = options.token ?? 'xoxb-herald-test-token-0123456789';
  const requests: SlackRequest[] = [];
  const byChannel = new Map<string, SlackMessage[]>();
  const behaviours = new Map<string, SlackBehaviour>();
  const ids = new Map<string, string>();
  let fallback: SlackBehaviour = 'ok';
  const epoch = 1_700_000_000;
  let seq = 0;
  let accepted = 0;
  const waiters = new Set<() => void>();
  let postingLimit: { perSecond: number; burst: number } | undefined;
  const buckets = new Map<string, { tokens: number; at: number }>();
  /** Takes a token of the channel's posting bucket; false when it is empty. */
  const mayPost = (id: string): boolean => {
    if (!postingLimit) return true;
    const now = performance.now();
    const bucket = buckets.get(id) ?? { tokens: postingLimit.burst, at: now };
    bucket.tokens = Math.min(postingLimit.burst, bucket.tokens + ((now - bucket.at) / 1_000) * postingLimit.perSecond);
    bucket.at = now;
    buckets.set(id, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens--;
    return true;
  };

  const channelId = (name: string): string => {
    const bare = name.replace(/^#/, '');
    if (/^[CDG][A-Z0-9]{8,}$/.test(bare)) return bare;
    let id = ids.get(bare);
    if (!id) ids.set(bare, (id = `C${String(ids.size + 1).padStart(10, '0')}`));
    return id;
  };
  const nextTs = () => `${epoch + Math.floor(++seq / 1_000_000)}.${String(seq % 1_000_000).padStart(6, '0')}`;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.url ?? '').replace(/^\/+(api\/)?/, '').split('?')[0]!;
    const params = await readParams(req);
    const request: SlackRequest = { method, authorization: req.headers.authorization, contentType: req.headers['content-type'], params, status: 0 };
    requests.push(request);
    for (const check of waiters) check();
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      request.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? (typeof params.token === 'string' ? params.token : undefined);
    if (!bearer) return answer(200, { ok: false, error: 'not_authed' });
    if (bearer !== token) return answer(200, { ok: false, error: 'invalid_auth' });
    if (method === 'auth.test') return answer(200, { ok: true, url: 'https://herald-test.slack.com/', team: 'Herald', user: 'herald', team_id: 'T0000000001', user_id: 'U0000000001', bot_id: 'B0000000001' });

    const channel = typeof params.channel === 'string' ? params.channel : '';
    if (!channel) return answer(200, { ok: false, error: 'channel_not_found' });
    const id = channelId(channel);
    const behaviour = behaviours.get(id) ?? fallback;
    if (behaviour === 'hang') return;
    if (behaviour === 'http-500') return answer(500, '<html>internal server error</html>', { 'content-type': 'text/html' });
    if (typeof behaviour === 'object' && 'throttle' in behaviour) return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(behaviour.throttle) });
    if (typeof behaviour === 'object') return answer(200, { ok: false, error: behaviour.error });

    const list = byChannel.get(id) ?? [];
    byChannel.set(id, list);
    if (method === 'conversations.info') return answer(200, { ok: true, channel: { id, name: channel.replace(/^#/, ''), is_channel: true, is_member: true } });
    if (method === 'chat.postMessage') {
      if (!mayPost(id)) return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
      if (params.text === undefined && params.blocks === undefined && params.attachments === undefined) return answer(200, { ok: false, error: 'no_text' });
      const threadTs = typeof params.thread_ts === 'string' && params.thread_ts ? params.thread_ts : undefined;
      if (threadTs && !list.some((m) => m.ts === threadTs)) return answer(200, { ok: false, error: 'thread_not_found' });
      const message: SlackMessage = {
        ts: nextTs(),
        channel: id,
        text: String(params.text ?? ''),
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...(params.blocks === undefined ? {} : { blocks: params.blocks }),
        ...(params.attachments === undefined ? {} : { attachments: params.attachments }),
        ...(typeof params.username === 'string' ? { username: params.username } : {}),
        ...(params.metadata === undefined ? {} : { metadata: params.metadata }),
        edits: 0,
      };
      list.push(message);
      accepted++;
      const { edits: _edits, ...shown } = message;
      return answer(200, { ok: true, channel: id, ts: message.ts, message: { type: 'message', bot_id: 'B0000000001', ...shown } });
    }
    if (method === 'chat.update') {
      const target = list.find((m) => m.ts === params.ts);
      if (!target) return answer(200, { ok: false, error: 'message_not_found' });
      target.text = String(params.text ?? target.text);
      if (params.blocks !== undefined) target.blocks = params.blocks;
      if (params.attachments !== undefined) target.attachments = params.attachments;
      target.edits++;
      return answer(200, { ok: true, channel: id, ts: target.ts, text: target.text, message: { text: target.text } });
    }
    return answer(200, { ok: false, error: 'unknown_method' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    token,
    requests,
    messages: (channel) => (channel === undefined ? [...byChannel.values()].flat() : [...(byChannel.get(channelId(channel)) ?? [])]),
    accepted: () => accepted,
    received: (count) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (requests.length < count) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    behave(behaviour, channel) {
      if (channel === undefined) fallback = behaviour;
      else behaviours.set(channelId(channel), behaviour);
    },
    limitPosting(limit) {
      postingLimit = limit;
      buckets.clear();
    },
    channelId,
    reset() {
      requests.length = 0;
      byChannel.clear();
      behaviours.clear();
      postingLimit = undefined;
      buckets.clear();
      fallback = 'ok';
      accepted = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
