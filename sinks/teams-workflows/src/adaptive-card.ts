import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';
import { compactJson, goEscape, goValueText } from '@herald/plugin-http';

const FIELDS = ['template', 'title', 'summary', 'text', 'themeColor', 'facts', 'sections', 'potentialAction', 'adaptiveCard'] as const;
type Field = (typeof FIELDS)[number];

/** The rendered `teams-workflows` block: each field template text; an empty one counts as unset, as in Argo. */
export type TeamsWorkflowsBlock = Partial<Record<Field, string>>;

type Json = Record<string, unknown>;

const ENVELOPE_HEAD = '{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":';
const ENVELOPE_TAIL = '}]}';

function block(notification: NotificationData): TeamsWorkflowsBlock {
  const raw = notification.rendered['teams-workflows'];
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw DeliveryError.permanent(`template "${notification.template}": teams-workflows must be a mapping`);
  const out: TeamsWorkflowsBlock = {};
  for (const field of FIELDS) {
    const value = (raw as Record<string, unknown>)[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw DeliveryError.permanent(`template "${notification.template}": teams-workflows.${field} must be text`);
    out[field] = value;
  }
  return out;
}

function parsed(notification: NotificationData, field: Field, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw DeliveryError.permanent(`template "${notification.template}": teams-workflows.${field} is not valid JSON after rendering: ${(err as Error).message}`);
  }
}

/** A JSON list of objects (null: none), as Go decodes it into a slice of maps. */
function objectList(notification: NotificationData, field: Field, text: string): Json[] {
  const value = parsed(notification, field, text);
  if (value === null) return [];
  if (!Array.isArray(value) || value.some((item) => item !== null && (typeof item !== 'object' || Array.isArray(item)))) {
    throw DeliveryError.permanent(`template "${notification.template}": teams-workflows.${field} must render to a JSON list of objects`);
  }
  return value.map((item) => (item ?? {}) as Json);
}

/** Facts with a text `name` become Adaptive Card facts; a value that is not text is printed as Go prints it. */
function factSet(facts: unknown[]): Json | undefined {
  const out = facts
    .filter((f): f is Json => typeof f === 'object' && f !== null && !Array.isArray(f) && typeof (f as Json).name === 'string')
    .map((f) => ({ title: f.name, value: typeof f.value === 'string' ? f.value : Object.hasOwn(f, 'value') ? goValueText(f.value) : '' }));
  return out.length ? { type: 'FactSet', facts: out } : undefined;
}

/**
 * The request body Argo's teams-workflows service sends, byte for byte: the message envelope around the
 * rendered `adaptiveCard` (its JSON compacted, as it was written), or around the card Argo builds from the
 * teams fields — the title as a large bold TextBlock in `themeColor`, the text (the `message` unless
 * `text` is set), the facts and each section's facts as FactSets, `OpenUri` actions as Action.OpenUrl.
 * Throws a permanent DeliveryError for a field that does not render to what it must.
 */
export function workflowsBody(notification: NotificationData): string {
  const b = block(notification);
  if (b.adaptiveCard !== undefined) {
    const text = b.adaptiveCard.trim();
    parsed(notification, 'adaptiveCard', text);
    return goEscape(`${ENVELOPE_HEAD}${compactJson(text)}${ENVELOPE_TAIL}`);
  }
  const message = typeof notification.rendered.message === 'string' ? notification.rendered.message : '';
  const text = b.text ?? message;
  const sections = b.sections === undefined ? [] : objectList(notification, 'sections', b.sections);
  const facts = b.facts === undefined ? [] : objectList(notification, 'facts', b.facts);
  const actions = b.potentialAction === undefined ? [] : objectList(notification, 'potentialAction', b.potentialAction);

  // Element fields in the order, and with the omissions, of Argo's structs.
  const body: Json[] = [];
  if (b.title !== undefined) body.push({ type: 'TextBlock', text: b.title, size: 'Large', weight: 'Bolder', ...(b.themeColor === undefined ? {} : { color: b.themeColor }), wrap: true });
  if (text !== '') body.push({ type: 'TextBlock', text, wrap: true });
  const own = factSet(facts);
  if (own) body.push(own);
  for (const section of sections) {
    const set = Array.isArray(section.facts) ? factSet(section.facts) : undefined;
    if (set) body.push(set);
  }
  const openUrls = actions.flatMap((action) => {
    if (action['@type'] !== 'OpenUri') return [];
    const targets = action.targets;
    const first = Array.isArray(targets) ? (targets[0] as unknown) : undefined;
    const url = typeof first === 'object' && first !== null && typeof (first as Json).uri === 'string' ? ((first as Json).uri as string) : '';
    if (url === '') return [];
    return [{ type: 'Action.OpenUrl', ...(typeof action.name === 'string' && action.name !== '' ? { title: action.name } : {}), url }];
  });
  const card = { type: 'AdaptiveCard', version: '1.4', body, ...(openUrls.length ? { actions: openUrls } : {}) };
  return goEscape(`${ENVELOPE_HEAD}${JSON.stringify(card)}${ENVELOPE_TAIL}`);
}
