import { createHash } from 'node:crypto';
import { startRecordingServer, type Answer, type RecordedRequest } from './recording-server.ts';

/**
 * How the server answers the next `POST /api/v4/posts`:
 * - `ok`: 201 Created with the post;
 * - `http-500`: 500 `app.post.save.app_error` (retryable);
 * - `forbidden`: 403 `api.context.permissions.app_error`, as for a bot removed from the channel (permanent);
 * - `{ throttle: seconds }`: 429 from Mattermost's rate limiter, with Retry-After and X-Ratelimit headers;
 * - `hang`: read the request, never answer.
 */
export type MattermostBehaviour = 'ok' | 'http-500' | 'forbidden' | 'hang' | { throttle: number };

/** A post the server created. */
export interface MattermostPost {
  id: string;
  channel_id: string;
  message: string;
  props: Record<string, unknown>;
}

export interface FakeMattermost {
  /** The server URL to give a service's `apiURL`. */
  apiUrl: string;
  /** The personal access or bot token it accepts. */
  token: string;
  /** The id of channel `name` (26 characters, as Mattermost's ids). */
  channelId(name: string): string;
  requests: RecordedRequest[];
  posts: MattermostPost[];
  accepted(): number;
  behave(behaviour: MattermostBehaviour): void;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A local Mattermost API v4 (`POST /api/v4/posts`, bearer token): 201 with the created post, and
 * Mattermost's app errors (`{"id","message","detailed_error","request_id","status_code"}`) for a missing or
 * wrong token (401), a malformed channel id (400), a channel the bot cannot post in (403), a body that is not
 * a post (400), and the behaviours above.
 */
export async function startFakeMattermost(options: { token?: string } = {}): Promise<FakeMattermost> {
  const token = options.token ?? 'h3rald8mattermost0token0abc';
  const channels = new Map<string, string>();
  const posts: MattermostPost[] = [];
  let behaviour: MattermostBehaviour = 'ok';
  let seq = 0;

  const idOf = (seed: string) => createHash('sha256').update(seed).digest('hex').replace(/[^a-z0-9]/g, '').slice(0, 26);

  const handle = (req: RecordedRequest): Answer => {
    const appError = (status: number, id: string, message: string, headers: Record<string, string> = {}): Answer => ({
      status,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ id, message, detailed_error: '', request_id: idOf(`r${++seq}`), status_code: status }),
    });
    if (req.url.split('?')[0] !== '/api/v4/posts' || req.method !== 'POST') return appError(404, 'api.context.404.app_error', 'Sorry, we could not find the page.');
    if (req.headers.authorization !== `Bearer ${token}`) return appError(401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.');
    if (behaviour === 'hang') return 'hang';
    if (behaviour === 'http-500') return appError(500, 'app.post.save.app_error', 'Unable to save the Post.');
    if (behaviour === 'forbidden') return appError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
    if (typeof behaviour === 'object') {
      return {
        status: 429,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(behaviour.throttle), 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(behaviour.throttle) },
        body: 'limit exceeded\n',
      };
    }
    let post: Record<string, unknown>;
    try {
      post = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return appError(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing post in request body.');
    }
    const channel = typeof post.channel_id === 'string' ? post.channel_id : '';
    if (!/^[a-z0-9]{26}$/.test(channel)) return appError(400, 'model.post.is_valid.channel_id.app_error', 'Invalid channel id.');
    if (!channels.has(channel)) return appError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
    const created: MattermostPost = {
      id: idOf(`p${++seq}`),
      channel_id: channel,
      message: typeof post.message === 'string' ? post.message : '',
      props: typeof post.props === 'object' && post.props !== null ? (post.props as Record<string, unknown>) : {},
    };
    posts.push(created);
    const at = Date.UTC(2026, 0, 1) + seq;
    return {
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...created, create_at: at, update_at: at, edit_at: 0, delete_at: 0, is_pinned: false, user_id: idOf('bot'), root_id: '', original_id: '', type: '', hashtags: '', pending_post_id: '', reply_count: 0, metadata: {} }),
    };
  };

  const server = await startRecordingServer(handle);
  return {
    apiUrl: server.origin,
    token,
    channelId(name) {
      const id = idOf(`c${name}`);
      channels.set(id, name);
      return id;
    },
    requests: server.requests,
    posts,
    accepted: () => posts.length,
    behave(b) {
      behaviour = b;
    },
    reset() {
      behaviour = 'ok';
      posts.length = 0;
      server.clear();
    },
    close: () => server.close(),
  };
}
