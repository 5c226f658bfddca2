import { createHash } from 'node:crypto';
import { startRecordingServer, type Answer, type RecordedRequest } from './recording-server.ts';

/**
 * How the workflow trigger answers the next requests:
 * - `ok`: HTTP 202 Accepted, no body (the workflow run started);
 * - `http-500`: HTTP 500 with Power Automate's error JSON (retryable);
 * - `deleted`: HTTP 404 `WorkflowNotFound` (permanent);
 * - `{ throttle: seconds }`: HTTP 429 `WorkflowRequestsThrottled` with Retry-After;
 * - `hang`: read the request, never answer.
 */
export type WorkflowsBehaviour = 'ok' | 'http-500' | 'deleted' | 'hang' | { throttle: number };

export interface FakeTeamsWorkflows {
  origin: string;
  /** The trigger URL of workflow `name` (Power Platform's shape, signature in the query). */
  workflowUrl(name: string): string;
  requests: RecordedRequest[];
  /** Adaptive Cards the trigger accepted, with the workflow they went to. */
  cards: { workflow: string; card: unknown }[];
  accepted(): number;
  behave(behaviour: WorkflowsBehaviour): void;
  reset(): void;
  close(): Promise<void>;
}

const hex = (seed: string, n: number) => createHash('sha256').update(seed).digest('hex').slice(0, n);

/**
 * A local "When a Teams webhook request is received" trigger
 * (`/powerautomate/automations/direct/workflows/<id>/triggers/manual/paths/invoke?api-version=1&sp=…&sv=1.0&sig=…`):
 * 202 for a request in Teams' message envelope with an Adaptive Card, and Power Automate's error JSON
 * (`{"error":{"code","message"}}`) for the rest — 401 for a wrong signature, 404 for an unknown workflow,
 * 400 for a body that is not JSON or not the envelope the trigger's schema wants — and the behaviours above.
 */
export async function startFakeTeamsWorkflows(): Promise<FakeTeamsWorkflows> {
  const workflows = new Map<string, { name: string; sig: string }>();
  const cards: FakeTeamsWorkflows['cards'] = [];
  let behaviour: WorkflowsBehaviour = 'ok';

  const handle = (req: RecordedRequest): Answer => {
    const error = (status: number, code: string, message: string, headers: Record<string, string> = {}): Answer => ({
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-ms-failure-cause': 'trigger', ...headers },
      body: JSON.stringify({ error: { code, message } }),
    });
    const url = new URL(req.url, 'http://localhost');
    const id = /^\/powerautomate\/automations\/direct\/workflows\/([0-9a-f]{32})\/triggers\/manual\/paths\/invoke$/.exec(url.pathname)?.[1];
    const workflow = id === undefined ? undefined : workflows.get(id);
    if (req.method !== 'POST' || workflow === undefined) return error(404, 'WorkflowNotFound', `The workflow '${id ?? ''}' could not be found in environment 'Default'.`);
    if (url.searchParams.get('sig') !== workflow.sig) return error(401, 'DirectApiInvalidAuthorizationSignature', `The provided authentication token is not valid, request signature does not match.`);
    if (behaviour === 'hang') return 'hang';
    if (behaviour === 'http-500') return error(500, 'InternalServerError', 'Encountered internal server error. The tracking Id is 4e6f5a2b-1c3d-4e5f-8a9b-0c1d2e3f4a5b.');
    if (behaviour === 'deleted') return error(404, 'WorkflowNotFound', `The workflow '${id}' could not be found in environment 'Default'.`);
    if (typeof behaviour === 'object') {
      return error(429, 'WorkflowRequestsThrottled', `Number of requests for workflow '${id}' exceeded the limit of '10' over time window of '00:00:10'.`, { 'retry-after': String(behaviour.throttle) });
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return error(400, 'InvalidRequestContent', `The request content type '${req.headers['content-type'] ?? ''}' is not supported.`);
    let message: unknown;
    try {
      message = JSON.parse(req.body);
    } catch (err) {
      return error(400, 'InvalidRequestContent', `The request content is not valid and could not be deserialized: '${(err as Error).message}'.`);
    }
    const m = message as { type?: unknown; attachments?: { contentType?: unknown; content?: unknown }[] };
    const attachment = Array.isArray(m.attachments) ? m.attachments[0] : undefined;
    if (m.type !== 'message' || attachment?.contentType !== 'application/vnd.microsoft.card.adaptive' || typeof attachment.content !== 'object') {
      return error(400, 'TriggerInputSchemaMismatch', "The input body for trigger 'manual' of type 'Request' did not match its schema definition. Error details: 'Required properties are missing from object: attachments.'.");
    }
    cards.push({ workflow: workflow.name, card: attachment.content });
    return { status: 202, headers: { 'x-ms-workflow-run-id': `0858${hex(req.body, 20)}`, 'x-ms-workflow-name': id! }, body: '' };
  };

  const server = await startRecordingServer(handle);
  return {
    origin: server.origin,
    workflowUrl(name) {
      const id = hex(`w${name}`, 32);
      const sig = Buffer.from(hex(`s${name}`, 32), 'hex').toString('base64url');
      workflows.set(id, { name, sig });
      return `${server.origin}/powerautomate/automations/direct/workflows/${id}/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`;
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
