import { createHash } from 'node:crypto';
import { startRecordingServer, type Answer, type RecordedRequest } from './recording-server.ts';

/**
 * How the connector answers the next posts:
 * - `ok`: HTTP 200, body `1` (the card reached the channel);
 * - `http-500`: HTTP 500 (retryable);
 * - `gone`: HTTP 410 for a connector removed from its channel (permanent);
 * - `{ throttle: seconds }`: HTTP 429 with Teams' text and, when seconds > 0, a Retry-After;
 * - `{ failedInBody: status }`: HTTP 200 with "Webhook message delivery failed with error: Microsoft Teams
 *   endpoint returned HTTP error <status> …", as a connector says Teams refused the card;
 * - `hang`: read the request, never answer.
 */
export type TeamsBehaviour = 'ok' | 'http-500' | 'gone' | 'hang' | { throttle: number } | { failedInBody: number };

export interface FakeTeams {
  origin: string;
  /** An incoming webhook URL of the connector's shape for channel `name` (the same for the same name). */
  webhookUrl(name: string): string;
  requests: RecordedRequest[];
  /** Cards accepted (answered `1`), parsed, with the channel they went to. */
  cards: { channel: string; card: Record<string, unknown> }[];
  accepted(): number;
  behave(behaviour: TeamsBehaviour): void;
  reset(): void;
  close(): Promise<void>;
}

const guid = (seed: string) => {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/**
 * A local Office 365 connector endpoint (`/webhookb2/<group>@<tenant>/IncomingWebhook/<id>/<owner>`): it
 * answers `1` for a card Teams would take, and the connector's answers for the rest — 400 "Bad payload
 * received by generic incoming webhook." for a body that is not JSON, 400 "Summary or Text is required."
 * for a MessageCard without either, 404 for an unknown webhook — and the behaviours above.
 */
export async function startFakeTeams(): Promise<FakeTeams> {
  const channels = new Map<string, string>();
  const cards: FakeTeams['cards'] = [];
  let behaviour: TeamsBehaviour = 'ok';
  const contextId = 'tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=Jm8Q2kHTuUe5vQmJ3Y2x0w.0';

  const handle = (req: RecordedRequest): Answer => {
    const text = (status: number, body: string, headers: Record<string, string> = {}): Answer => ({ status, body, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
    const channel = channels.get(req.url);
    if (req.method !== 'POST' || channel === undefined) return text(404, '');
    if (behaviour === 'hang') return 'hang';
    if (behaviour === 'http-500') return text(500, 'Internal Server Error');
    if (behaviour === 'gone') return text(410, 'Connector configuration not found');
    if (typeof behaviour === 'object' && 'throttle' in behaviour) {
      return text(429, `Microsoft Teams endpoint returned HTTP error 429 with ContextId ${contextId}..`, behaviour.throttle > 0 ? { 'retry-after': String(behaviour.throttle) } : {});
    }
    if (typeof behaviour === 'object') return text(200, `Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error ${behaviour.failedInBody} with ContextId ${contextId}..`);
    let card: unknown;
    try {
      card = JSON.parse(req.body);
    } catch {
      return text(400, 'Bad payload received by generic incoming webhook.');
    }
    if (typeof card !== 'object' || card === null || Array.isArray(card)) return text(400, 'Bad payload received by generic incoming webhook.');
    const c = card as Record<string, unknown>;
    if (c['@type'] === 'MessageCard' && !c.text && !c.summary) return text(400, 'Summary or Text is required.');
    cards.push({ channel, card: c });
    return text(200, '1');
  };

  const server = await startRecordingServer(handle);
  return {
    origin: server.origin,
    webhookUrl(name) {
      const path = `/webhookb2/${guid(`g${name}`)}@${guid('tenant')}/IncomingWebhook/${createHash('md5').update(name).digest('hex')}/${guid(`o${name}`)}`;
      channels.set(path, name);
      return `${server.origin}${path}`;
    },
    requests: server.requests,
    cards,
    accepted: () => cards.length,
    behave(b) {
      behaviour = b;
    },
    reset() {
      behaviour = 'ok';
      cards.length = 0;
      server.clear();
    },
    close: () => server.close(),
  };
}
