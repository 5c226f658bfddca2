import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the fake answers the next requests (until `reset`):
 * - `ok`: PagerDuty's success (Events API 202, REST 201);
 * - `http-500`: a 500 with PagerDuty's error body (retryable);
 * - `{ throttle: seconds }`: a 429; the REST API adds its `ratelimit-reset` header, both a `Retry-After`;
 * - `hang`: the request is read and never answered (until the server closes).
 * Refusals PagerDuty makes of the request itself (an unknown routing key or token, a bad event) need no
 * behaviour: the fake validates like the real API does.
 */
export type PagerDutyBehaviour = 'ok' | 'http-500' | 'hang' | { throttle: number };

/** One request as the fake received it. */
export interface PagerDutyRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** The HTTP status the fake answered; 0 while it hangs. */
  status: number;
}

/** An incident the REST API created. */
export interface PagerDutyIncident {
  id: string;
  incident_number: number;
  title: string;
  service: { id: string; type: string };
  urgency: string;
  incident_key?: string;
  priority?: { id: string; type: string };
  body?: { type: string; details: string };
  /** The `From` header of the request that created it. */
  from: string;
}

export interface FakePagerDuty {
  /** `http://127.0.0.1:<port>`: the Events API (`/v2/enqueue`) and the REST API (`/incidents`) on one origin. */
  url: string;
  /** Routing keys (32 characters, as PagerDuty makes them) the Events API knows; any other is refused. */
  routingKeys: readonly string[];
  /** The REST API token it accepts; any other gets 401. */
  token: string;
  /** Service ids the REST API knows. */
  serviceIds: readonly string[];
  requests: PagerDutyRequest[];
  /** Events accepted by `/v2/enqueue`, in order. */
  events(): Record<string, unknown>[];
  /** Alerts open per dedup key: a trigger with a known key updates the alert instead of opening another. */
  openAlerts(): Map<string, Record<string, unknown>>;
  incidents(): PagerDutyIncident[];
  /** Requests answered with success since the start. */
  accepted(): number;
  behave(behaviour: PagerDutyBehaviour): void;
  /** Resolves once the fake has received `count` requests in all (answered or not). */
  received(count: number): Promise<void>;
  /** Forgets requests, events, incidents and the behaviour. */
  reset(): void;
  close(): Promise<void>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const ACTIONS = ['trigger', 'acknowledge', 'resolve'];

/** Starts a local server speaking PagerDuty's Events API v2 and REST incidents API (request and error shapes). */
export async function startFakePagerDuty(): Promise<FakePagerDuty> {
  const routingKeys = ['R0UT1NGKEY0000000000000000000001', 'R0UT1NGKEY0000000000000000000002'];
  const token = 'u+FakePagerDutyRestToken01';
  const serviceIds = ['PSERV01', 'PSERV02'];
  const requests: PagerDutyRequest[] = [];
  let events: Record<string, unknown>[] = [];
  let open = new Map<string, Record<string, unknown>>();
  let incidents: PagerDutyIncident[] = [];
  let behaviour: PagerDutyBehaviour = 'ok';
  let accepted = 0;
  let waiters: (() => void)[] = [];
  const hanging = new Set<ServerResponse>();

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };

  const enqueue = (req: PagerDutyRequest, res: ServerResponse): number => {
    const event = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const payload = (typeof event.payload === 'object' && event.payload !== null ? event.payload : {}) as Record<string, unknown>;
    const errors: string[] = [];
    const key = event.routing_key;
    if (typeof key !== 'string' || key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
    else if (!routingKeys.includes(key)) errors.push("Invalid routing key: no integration has this 'routing_key'");
    if (!ACTIONS.includes(event.event_action as string)) errors.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
    if (event.event_action === 'trigger') {
      if (!payload.summary) errors.push("'payload.summary' is missing or blank");
      if (!payload.source) errors.push("'payload.source' is missing or blank");
      if (!SEVERITIES.includes(payload.severity as string)) errors.push("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
    }
    if (errors.length) {
      json(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors });
      return 400;
    }
    const dedupKey = typeof event.dedup_key === 'string' && event.dedup_key ? event.dedup_key : `fake${events.length.toString(16).padStart(28, '0')}`;
    events.push(event);
    if (event.event_action === 'trigger') open.set(dedupKey, event);
    else if (event.event_action === 'resolve') open.delete(dedupKey);
    json(res, 202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
    return 202;
  };

  const createIncident = (req: PagerDutyRequest, res: ServerResponse): number => {
    const restError = (status: number, message: string, code: number, errors?: string[]) => {
      json(res, status, { error: { message, code, ...(errors ? { errors } : {}) } });
      return status;
    };
    if (req.headers.authorization !== `Token token=${token}`) return restError(401, 'Unauthorized', 2006);
    if (!req.headers.accept?.includes('application/vnd.pagerduty+json;version=2')) return restError(406, 'Not Acceptable', 2001);
    const from = req.headers.from;
    if (typeof from !== 'string' || !from.includes('@')) return restError(400, 'Invalid Input Provided', 2001, ['From header is missing or invalid: a valid email address of a user in the account is required']);
    const incident = ((req.body as Record<string, unknown> | null)?.incident ?? {}) as Record<string, unknown>;
    const errors: string[] = [];
    if (incident.type !== 'incident') errors.push("Incident type must be 'incident'");
    if (!incident.title) errors.push('Title cannot be empty.');
    const service = incident.service as { id?: string; type?: string } | undefined;
    if (!service?.id || service.type !== 'service_reference') errors.push('Service must be a service_reference');
    else if (!serviceIds.includes(service.id)) errors.push('Service not found');
    if (incident.urgency !== undefined && incident.urgency !== 'high' && incident.urgency !== 'low') errors.push("Urgency must be 'high' or 'low'");
    const priority = incident.priority as { id?: string; type?: string } | undefined;
    if (priority !== undefined && (!priority.id || priority.type !== 'priority_reference')) errors.push('Priority must be a priority_reference with an id');
    if (errors.length) return restError(400, 'Invalid Input Provided', 2001, errors);
    const key = typeof incident.incident_key === 'string' ? incident.incident_key : undefined;
    if (key && incidents.some((i) => i.incident_key === key && i.service.id === service!.id)) {
      return restError(400, 'Invalid Input Provided', 2001, ['Open incident with key matching the incident_key already exists on this service']);
    }
    const created: PagerDutyIncident = {
      id: `Q${(incidents.length + 1).toString().padStart(12, '0')}`,
      incident_number: incidents.length + 1,
      title: incident.title as string,
      service: service as { id: string; type: string },
      urgency: (incident.urgency as string | undefined) ?? 'high',
      ...(key ? { incident_key: key } : {}),
      ...(priority ? { priority: priority as { id: string; type: string } } : {}),
      ...(incident.body ? { body: incident.body as { type: string; details: string } } : {}),
      from,
    };
    incidents.push(created);
    json(res, 201, { incident: { ...created, type: 'incident', status: 'triggered', from: undefined } });
    return 201;
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Kept as text: the API answers 400 to a body that is not JSON.
    }
    const request: PagerDutyRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, status: 0 };
    requests.push(request);
    for (const wake of waiters.splice(0)) wake();
    const rest = request.path.startsWith('/incidents');
    if (behaviour === 'hang') {
      hanging.add(res);
      return;
    }
    if (behaviour === 'http-500') {
      request.status = 500;
      if (rest) json(res, 500, { error: { message: 'Internal Server Error', code: 2000 } });
      else json(res, 500, { status: 'error', message: 'Internal Server Error' });
      return;
    }
    if (typeof behaviour === 'object') {
      request.status = 429;
      const seconds = String(behaviour.throttle);
      if (rest) json(res, 429, { error: { message: 'Rate Limit Exceeded', code: 2020 } }, { 'retry-after': seconds, 'ratelimit-reset': seconds });
      else json(res, 429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' }, { 'retry-after': seconds });
      return;
    }
    if (typeof body !== 'object' || body === null) {
      request.status = 400;
      json(res, 400, rest ? { error: { message: 'Invalid Input Provided', code: 2001, errors: ['Body is not JSON'] } } : { status: 'invalid event', message: 'Event object is invalid', errors: ['Body is not JSON'] });
      return;
    }
    if (req.method === 'POST' && request.path === '/v2/enqueue') request.status = enqueue(request, res);
    else if (req.method === 'POST' && request.path === '/incidents') request.status = createIncident(request, res);
    else {
      request.status = 404;
      json(res, 404, { error: { message: 'Not Found', code: 2100 } });
    }
    if (request.status < 300) accepted++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    routingKeys,
    token,
    serviceIds,
    requests,
    events: () => events,
    openAlerts: () => open,
    incidents: () => incidents,
    accepted: () => accepted,
    behave: (b) => void (behaviour = b),
    received: (count) =>
      new Promise<void>((resolve) => {
        const check = () => (requests.length >= count ? resolve() : waiters.push(check));
        check();
      }),
    reset() {
      requests.length = 0;
      events = [];
      open = new Map();
      incidents = [];
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
