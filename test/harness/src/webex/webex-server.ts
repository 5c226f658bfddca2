import { startApiServer, type ApiRequest } from '../http-api/api-server.ts';

/**
 * How the fake answers a message to one room id or person email (or to every recipient, as the default):
 * - `ok`: 200 with the Message object;
 * - `http-500`, `{ status, message }`: Webex's error body `{message, errors:[{description}], trackingId}`;
 * - `{ throttle: seconds }`: 429 with `Retry-After`;
 * - `hang`: read and never answered.
 */
export type WebexBehaviour = 'ok' | 'http-500' | 'hang' | { throttle: number } | { status: number; message: string };

/** A message the fake accepted. */
export interface WebexMessage {
  roomId?: string;
  toPersonEmail?: string;
  markdown: string;
}

export interface FakeWebex {
  /** For a webex service's `apiURL` (`https://webexapis.com` in production). */
  apiUrl: string;
  /** The access token the fake accepts; any other gets 401. */
  token: string;
  requests: ApiRequest[];
  messages(): WebexMessage[];
  accepted(): number;
  received(count: number): Promise<void>;
  behave(behaviour: WebexBehaviour, recipient?: string): void;
  reset(): void;
  close(): Promise<void>;
}

let tracking = 0;
const failure = (status: number, message: string, headers?: Record<string, string>) => ({
  status,
  body: { message, errors: [{ description: message }], trackingId: `ROUTER_HERALD.${++tracking}` },
  ...(headers ? { headers } : {}),
});

/**
 * A local Webex messages API: `POST /v1/messages` with a bearer token and a JSON body naming `roomId` or
 * `toPersonEmail` and `markdown`/`text`; Webex's Message object on success, its error body otherwise.
 */
export async function startFakeWebex(options: { token?: string } = {}): Promise<FakeWebex> {
  const token = options.token ?? 'herald-webex-access-token-0123456789ABCDEF';
  const messages: WebexMessage[] = [];
  const behaviours = new Map<string, WebexBehaviour>();
  let fallback: WebexBehaviour = 'ok';

  const api = await startApiServer((request) => {
    if (request.url.split('?')[0] !== '/v1/messages' || request.method !== 'POST') return failure(404, 'The requested resource could not be found.');
    if (request.headers.authorization !== `Bearer ${token}`) return failure(401, 'The request requires a valid access token set in the Authorization request header.');
    if (!request.headers['content-type']?.startsWith('application/json') || !request.params) return failure(400, 'Unable to parse the request body.');
    const { roomId, toPersonEmail, markdown, text } = request.params as Record<string, string | undefined>;
    const recipient = roomId ?? toPersonEmail;
    if (!recipient) return failure(400, 'Either roomId, toPersonId or toPersonEmail must be provided.');
    const behaviour = behaviours.get(recipient) ?? fallback;
    if (behaviour === 'hang') return 'hang';
    if (behaviour === 'http-500') return failure(500, 'Internal Server Error');
    if (typeof behaviour === 'object' && 'throttle' in behaviour) return failure(429, 'Too Many Requests', { 'retry-after': String(behaviour.throttle) });
    if (typeof behaviour === 'object') return failure(behaviour.status, behaviour.message);
    if (!markdown && !text) return failure(400, 'Message text, file, or card must be provided.');
    messages.push({ ...(roomId ? { roomId } : {}), ...(toPersonEmail ? { toPersonEmail } : {}), markdown: markdown ?? '' });
    return {
      status: 200,
      body: { id: `Y2lzY29zcGFyazovL3VzL01FU1NBR0UvaGVyYWxk${messages.length}`, roomId: roomId ?? 'Y2lzY29zcGFyazovL3VzL1JPT00vZGlyZWN0', roomType: roomId ? 'group' : 'direct', ...(toPersonEmail ? { toPersonEmail } : {}), text: markdown, markdown, personEmail: 'herald@webex.bot', created: '2026-01-01T00:00:00.000Z' },
    };
  });

  return {
    apiUrl: api.origin,
    token,
    requests: api.requests,
    messages: () => [...messages],
    accepted: () => messages.length,
    received: api.received,
    behave(behaviour, recipient) {
      if (recipient === undefined) fallback = behaviour;
      else behaviours.set(recipient, behaviour);
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
