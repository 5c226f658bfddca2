import { startApiServer, type ApiRequest } from '../http-api/api-server.ts';

/**
 * How the fake answers (every annotation, or those carrying a tag):
 * - `ok`: 200 `{"message":"Annotation added","id":N}`;
 * - `http-500`, `{ status, message }`: Grafana's error body `{"message": …}`;
 * - `{ throttle: seconds }`: 429 with `Retry-After` (a proxy or Grafana Cloud in front);
 * - `hang`: read and never answered.
 */
export type GrafanaBehaviour = 'ok' | 'http-500' | 'hang' | { throttle: number } | { status: number; message: string };

/** An annotation the fake stored. */
export interface GrafanaAnnotation {
  id: number;
  time: number;
  isRegion: boolean;
  tags: string[];
  text: string;
}

export interface FakeGrafana {
  /** For a grafana service's `apiUrl` (`https://grafana.example.com/api` in production). */
  apiUrl: string;
  /** The API key (service account token) the fake accepts; any other gets 401. */
  apiKey: string;
  requests: ApiRequest[];
  annotations(): GrafanaAnnotation[];
  accepted(): number;
  received(count: number): Promise<void>;
  behave(behaviour: GrafanaBehaviour, tag?: string): void;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A local Grafana HTTP API: `POST /api/annotations` with a bearer token and Grafana's annotation body
 * (`time`, `isRegion`, `tags`, `text`); 400 `Failed to save annotation` for an empty text, as Grafana answers.
 */
export async function startFakeGrafana(options: { apiKey?: string } = {}): Promise<FakeGrafana> {
  const apiKey = options.apiKey ?? 'glsa_HeraldTestServiceAccount0123456789_abcdef01';
  const annotations: GrafanaAnnotation[] = [];
  const behaviours = new Map<string, GrafanaBehaviour>();
  let fallback: GrafanaBehaviour = 'ok';

  const api = await startApiServer((request) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/api/annotations') return { status: 404, body: { message: 'Not found' } };
    if (request.headers.authorization !== `Bearer ${apiKey}`) return { status: 401, body: { message: 'invalid API key', traceID: '' } };
    const body = request.params;
    if (!body) return { status: 400, body: { message: 'bad request data' } };
    const tags = Array.isArray(body.tags) ? body.tags.map(String) : [];
    const behaviour = tags.map((t) => behaviours.get(t)).find((b) => b !== undefined) ?? fallback;
    if (behaviour === 'hang') return 'hang';
    if (behaviour === 'http-500') return { status: 500, body: { message: 'Failed to save annotation' } };
    if (typeof behaviour === 'object' && 'throttle' in behaviour) return { status: 429, body: { message: 'Too many requests' }, headers: { 'retry-after': String(behaviour.throttle) } };
    if (typeof behaviour === 'object') return { status: behaviour.status, body: { message: behaviour.message } };
    if (typeof body.text !== 'string' || body.text === '') return { status: 400, body: { message: 'Failed to save annotation' } };
    const annotation = { id: annotations.length + 1, time: Number(body.time ?? 0), isRegion: body.isRegion === true, tags, text: body.text };
    annotations.push(annotation);
    return { status: 200, body: { message: 'Annotation added', id: annotation.id } };
  });

  return {
    apiUrl: `${api.origin}/api`,
    apiKey,
    requests: api.requests,
    annotations: () => [...annotations],
    accepted: () => annotations.length,
    received: api.received,
    behave(behaviour, tag) {
      if (tag === undefined) fallback = behaviour;
      else behaviours.set(tag, behaviour);
    },
    reset() {
      api.reset();
      annotations.length = 0;
      behaviours.clear();
      fallback = 'ok';
    },
    close: api.close,
  };
}
