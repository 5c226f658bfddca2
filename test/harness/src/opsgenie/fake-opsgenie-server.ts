import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the fake answers the next requests (until `reset`):
 * - `ok`: Opsgenie's 202 `{result, took, requestId}`;
 * - `http-500`: a 500 with Opsgenie's error body (retryable);
 * - `{ throttle: seconds }`: a 429 with `X-RateLimit-State: THROTTLED` and `X-RateLimit-Period-In-Sec`;
 * - `hang`: the request is read and never answered (until the server closes).
 * An unknown key (401), a key without create access (403) and an invalid alert (422) need no behaviour:
 * the fake checks them like Opsgenie.
 */
export type OpsgenieBehaviour = 'ok' | 'http-500' | 'hang' | { throttle: number };

export interface OpsgenieRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** The HTTP status the fake answered; 0 while it hangs. */
  status: number;
}

/** An alert Opsgenie holds: a create with the alias of an open alert adds to its `count` instead. */
export interface OpsgenieAlert {
  alias: string;
  count: number;
  request: Record<string, unknown>;
}

export interface FakeOpsgenie {
  /** `http://127.0.0.1:<port>`: what a service's `apiUrl` names. */
  url: string;
  /** API keys with create access, by team name. */
  apiKeys: Readonly<Record<string, string>>;
  /** A key Opsgenie knows whose integration lacks create access (403). */
  readOnlyKey: string;
  requests: OpsgenieRequest[];
  alerts(): OpsgenieAlert[];
  /** Creates accepted since the start. */
  accepted(): number;
  behave(behaviour: OpsgenieBehaviour): void;
  received(count: number): Promise<void>;
  /** Forgets requests, alerts and the behaviour. */
  reset(): void;
  close(): Promise<void>;
}

const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'];

/** Starts a local server speaking Opsgenie's Alert API v2 create call (`POST /v2/alerts`), its shapes and errors. */
export async function startFakeOpsgenie(): Promise<FakeOpsgenie> {
  const apiKeys = { shop: 'a1b2c3d4-0000-4000-8000-00000000shop', ops: 'a1b2c3d4-0000-4000-8000-000000000ops' };
  const readOnlyKey = 'a1b2c3d4-0000-4000-8000-0000readonly';
  const requests: OpsgenieRequest[] = [];
  let alerts: OpsgenieAlert[] = [];
  let behaviour: OpsgenieBehaviour = 'ok';
  let accepted = 0;
  let waiters: (() => void)[] = [];
  const hanging = new Set<ServerResponse>();

  const answer = (res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ ...body, took: 0.004, requestId: randomUUID() }));
    return status;
  };

  const create = (req: OpsgenieRequest, res: ServerResponse): number => {
    const key = /^GenieKey (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!key || (key !== readOnlyKey && !Object.values(apiKeys).includes(key))) return answer(res, 401, { message: 'Could not authenticate' });
    if (key === readOnlyKey) return answer(res, 403, { message: 'You are not authorized for this action. Integration does not have create access.' });
    const alert = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const errors: Record<string, string> = {};
    if (typeof alert.message !== 'string' || alert.message.trim() === '') errors.message = 'Message can not be empty.';
    if (alert.priority !== undefined && !PRIORITIES.includes(alert.priority as string)) errors.priority = 'Priority should be one of [P1, P2, P3, P4, P5]';
    const responders = alert.responders;
    if (responders !== undefined && (!Array.isArray(responders) || responders.some((r: { type?: string; id?: string; name?: string }) => !r?.type || (!r.id && !r.name)))) {
      errors.responders = 'Responder type and one of id or name must be given';
    }
    if (Object.keys(errors).length) return answer(res, 422, { message: 'Request body is not processable. Please check the errors.', errors });
    const alias = typeof alert.alias === 'string' && alert.alias ? alert.alias : randomUUID();
    const open = alerts.find((a) => a.alias === alias);
    if (open) open.count++;
    else alerts.push({ alias, count: 1, request: alert });
    return answer(res, 202, { result: 'Request will be processed' });
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Kept as text: Opsgenie answers 422 to a body that is not JSON.
    }
    const request: OpsgenieRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, status: 0 };
    requests.push(request);
    for (const wake of waiters.splice(0)) wake();
    if (behaviour === 'hang') {
      hanging.add(res);
      return;
    }
    if (behaviour === 'http-500') request.status = answer(res, 500, { message: 'Internal Server Error' });
    else if (typeof behaviour === 'object') {
      request.status = answer(res, 429, { message: 'You are making too many requests! To avoid errors, we recommend you limit requests.' }, { 'x-ratelimit-state': 'THROTTLED', 'x-ratelimit-period-in-sec': String(behaviour.throttle) });
    } else if (req.method === 'POST' && request.path === '/v2/alerts') request.status = create(request, res);
    else request.status = answer(res, 404, { message: 'Could not find the requested resource' });
    if (request.status >= 200 && request.status < 300) accepted++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKeys,
    readOnlyKey,
    requests,
    alerts: () => alerts,
    accepted: () => accepted,
    behave: (b) => void (behaviour = b),
    received: (count) =>
      new Promise<void>((resolve) => {
        const check = () => (requests.length >= count ? resolve() : waiters.push(check));
        check();
      }),
    reset() {
      requests.length = 0;
      alerts = [];
      behaviour = 'ok';
      waiters = [];
      for (const res of hanging) res.destroy();
      hanging.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
