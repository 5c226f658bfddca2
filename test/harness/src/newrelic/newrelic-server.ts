import { startApiServer, type ApiRequest } from '../http-api/api-server.ts';

/**
 * How the fake answers markers for one application id (or for every one, as the default):
 * - `ok`: 201 with the deployment;
 * - `http-500`, `{ status, title }`: New Relic's error body `{"error":{"title": …}}`;
 * - `{ throttle: seconds }`: 429 with `Retry-After`;
 * - `hang`: read and never answered.
 */
export type NewrelicBehaviour = 'ok' | 'http-500' | 'hang' | { throttle: number } | { status: number; title: string };

/** A deployment marker the fake recorded. */
export interface NewrelicDeployment {
  applicationId: string;
  revision: string;
  changelog?: string;
  description?: string;
  user?: string;
}

export interface FakeNewrelic {
  /** For a newrelic service's `apiURL` (`https://api.newrelic.com` in production). */
  apiUrl: string;
  /** The User API key the fake accepts; any other gets 401. */
  apiKey: string;
  requests: ApiRequest[];
  deployments(): NewrelicDeployment[];
  accepted(): number;
  received(count: number): Promise<void>;
  behave(behaviour: NewrelicBehaviour, applicationId?: string): void;
  reset(): void;
  close(): Promise<void>;
}

const error = (status: number, title: string, headers?: Record<string, string>) => ({ status, body: { error: { title } }, ...(headers ? { headers } : {}) });

/**
 * A local New Relic REST API v2 deployments endpoint: `POST /v2/applications/<id>/deployments.json` with
 * `X-Api-Key` and `{"deployment": {revision, changelog, description, user}}`; 201 with the deployment, 404
 * for an id that is not a number, 422 for a blank revision, New Relic's `{"error":{"title"}}` bodies.
 */
export async function startFakeNewrelic(options: { apiKey?: string } = {}): Promise<FakeNewrelic> {
  const apiKey = options.apiKey ?? 'NRAK-HERALDTEST0123456789ABCDEFGH';
  const deployments: NewrelicDeployment[] = [];
  const behaviours = new Map<string, NewrelicBehaviour>();
  let fallback: NewrelicBehaviour = 'ok';

  const api = await startApiServer((request) => {
    const match = /^\/v2\/applications\/([^/]+)\/deployments\.json$/.exec(request.url.split('?')[0]!);
    if (request.method !== 'POST' || !match) return error(404, 'Resource not found');
    if (request.headers['x-api-key'] !== apiKey) return error(401, 'The API key provided is invalid');
    const applicationId = decodeURIComponent(match[1]!);
    const behaviour = behaviours.get(applicationId) ?? fallback;
    if (behaviour === 'hang') return 'hang';
    if (behaviour === 'http-500') return error(500, 'Internal server error');
    if (typeof behaviour === 'object' && 'throttle' in behaviour) return error(429, 'Too many requests', { 'retry-after': String(behaviour.throttle) });
    if (typeof behaviour === 'object') return error(behaviour.status, behaviour.title);
    if (!/^\d+$/.test(applicationId)) return error(404, `Application ${applicationId} not found`);
    const deployment = (request.params?.deployment ?? {}) as Record<string, unknown>;
    if (typeof deployment.revision !== 'string' || !deployment.revision) return error(422, "Validation failed: Revision can't be blank");
    const text = (field: string) => (typeof deployment[field] === 'string' ? { [field]: deployment[field] as string } : {});
    const recorded: NewrelicDeployment = { applicationId, revision: deployment.revision, ...text('changelog'), ...text('description'), ...text('user') };
    deployments.push(recorded);
    const { applicationId: _id, ...shown } = recorded;
    return { status: 201, body: { deployment: { id: deployments.length, ...shown, timestamp: '2026-01-01T00:00:00+00:00', links: { application: Number(applicationId) } } } };
  });

  return {
    apiUrl: api.origin,
    apiKey,
    requests: api.requests,
    deployments: () => [...deployments],
    accepted: () => deployments.length,
    received: api.received,
    behave(behaviour, applicationId) {
      if (applicationId === undefined) fallback = behaviour;
      else behaviours.set(applicationId, behaviour);
    },
    reset() {
      api.reset();
      deployments.length = 0;
      behaviours.clear();
      fallback = 'ok';
    },
    close: api.close,
  };
}
