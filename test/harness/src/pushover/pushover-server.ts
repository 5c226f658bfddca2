import { startApiServer, type ApiRequest } from '../http-api/api-server.ts';

/**
 * How the fake answers a message to one user/group key (or to every key, as the default):
 * - `ok`: `{status:1, request}` with the `X-Limit-App-*` headers;
 * - `http-500`: a 500 without Pushover's JSON (as its docs warn);
 * - `{ overQuota: seconds }`: 429, the application's monthly limit reached; it resets (`X-Limit-App-Reset`)
 *   that many seconds after the answer's `Date`;
 * - `{ status, field, error }`: `{[field]: 'invalid', errors: [error], status: 0, request}` with that status;
 * - `hang`: read and never answered.
 */
export type PushoverBehaviour = 'ok' | 'http-500' | 'hang' | { overQuota: number } | { status: number; field: string; error: string };

export interface PushoverMessage {
  user: string;
  message: string;
  priority: string | undefined;
}

export interface FakePushover {
  /** For a pushover service's `apiURL` (`https://api.pushover.net/1` in production). */
  apiUrl: string;
  /** The application token the fake knows; any other gets `token: invalid`. */
  token: string;
  requests: ApiRequest[];
  messages(): PushoverMessage[];
  accepted(): number;
  received(count: number): Promise<void>;
  behave(behaviour: PushoverBehaviour, user?: string): void;
  reset(): void;
  close(): Promise<void>;
}

const MONTHLY = 10_000;
const RESET_AT = 1_798_761_600;

/**
 * A local Pushover Message API: `POST /1/messages.json` with form (or JSON) parameters `token`, `user`,
 * `message`…; Pushover's `{status, request, errors}` bodies, `X-Limit-App-Limit/Remaining/Reset` headers, and
 * 429 once the application's monthly quota is spent.
 */
export async function startFakePushover(options: { token?: string } = {}): Promise<FakePushover> {
  const token = options.token ?? 'azGDORePK8gMaC0QOYAMyEEuzJnyUi';
  const messages: PushoverMessage[] = [];
  const behaviours = new Map<string, PushoverBehaviour>();
  let fallback: PushoverBehaviour = 'ok';
  let seq = 0;
  const requestId = () => `5042853c-402d-4a18-abcb-${String(++seq).padStart(12, '0')}`;
  const limits = () => ({ 'x-limit-app-limit': String(MONTHLY), 'x-limit-app-remaining': String(MONTHLY - messages.length), 'x-limit-app-reset': String(RESET_AT) });
  const invalid = (status: number, field: string, error: string) => ({ status, body: { [field]: 'invalid', errors: [error], status: 0, request: requestId() }, headers: limits() });

  const api = await startApiServer((request) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/1/messages.json') return { status: 404, body: { errors: ['not found'], status: 0, request: requestId() } };
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    if (params.token !== token) return invalid(400, 'token', 'application token is invalid, see https://pushover.net/api');
    const user = params.user ?? '';
    const behaviour = behaviours.get(user) ?? fallback;
    if (behaviour === 'hang') return 'hang';
    if (behaviour === 'http-500') return { status: 500, body: '<html><body>Internal Server Error</body></html>' };
    if (typeof behaviour === 'object' && 'overQuota' in behaviour) {
      const now = Math.floor(Date.now() / 1_000);
      const headers = { ...limits(), date: new Date(now * 1_000).toUTCString(), 'x-limit-app-remaining': '0', 'x-limit-app-reset': String(now + behaviour.overQuota) };
      return { status: 429, body: { errors: ['application has exceeded its monthly message limit'], status: 0, request: requestId() }, headers };
    }
    if (typeof behaviour === 'object') return invalid(behaviour.status, behaviour.field, behaviour.error);
    if (!/^[A-Za-z0-9]{30}$/.test(user)) return invalid(400, 'user', 'user identifier is not a valid user, group, or subscribed user key, see https://pushover.net/api#identifiers');
    if (!params.message) return invalid(400, 'message', 'message cannot be blank');
    messages.push({ user, message: params.message, priority: params.priority });
    return { status: 200, body: { status: 1, request: requestId() }, headers: limits() };
  });

  return {
    apiUrl: `${api.origin}/1`,
    token,
    requests: api.requests,
    messages: () => [...messages],
    accepted: () => messages.length,
    received: api.received,
    behave(behaviour, user) {
      if (user === undefined) fallback = behaviour;
      else behaviours.set(user, behaviour);
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
