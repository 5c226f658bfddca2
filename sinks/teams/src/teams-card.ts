import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';
import { goEscape, sortedKeys } from '@herald/plugin-http';

/** The rendered `teams` block: Argo's fields, each template text; an empty one counts as unset, as in Argo. */
export interface TeamsBlock {
  template?: string;
  title?: string;
  summary?: string;
  text?: string;
  themeColor?: string;
  facts?: string;
  sections?: string;
  potentialAction?: string;
}

const FIELDS = ['template', 'title', 'summary', 'text', 'themeColor', 'facts', 'sections', 'potentialAction'] as const;

function block(notification: NotificationData): TeamsBlock {
  const raw = notification.rendered.teams;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw DeliveryError.permanent(`template "${notification.template}": teams must be a mapping`);
  const out: TeamsBlock = {};
  for (const field of FIELDS) {
    const value = (raw as Record<string, unknown>)[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw DeliveryError.permanent(`template "${notification.template}": teams.${field} must be text`);
    out[field] = value;
  }
  return out;
}

/** A rendered field that must be a JSON list of objects (or null, which Go reads as no list). */
function objectList(notification: NotificationData, field: string, text: string): Record<string, unknown>[] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw DeliveryError.permanent(`template "${notification.template}": teams.${field} is not valid JSON after rendering: ${(err as Error).message}`);
  }
  if (value === null) return null;
  if (!Array.isArray(value) || value.some((item) => item !== null && (typeof item !== 'object' || Array.isArray(item)))) {
    throw DeliveryError.permanent(`template "${notification.template}": teams.${field} must render to a JSON list of objects`);
  }
  return sortedKeys(value) as Record<string, unknown>[];
}

/**
 * The request body Argo's teams service sends, byte for byte: the rendered `teams.template` as it is, when
 * set; else a MessageCard with title, summary and text (the `message` unless `teams.text` is set),
 * themeColor, potentialAction, and the sections with the facts appended as one more section. Throws a
 * permanent DeliveryError for a field that does not render to what it must.
 */
export function teamsBody(notification: NotificationData): string {
  const teams = block(notification);
  if (teams.template !== undefined) return teams.template;
  const message = typeof notification.rendered.message === 'string' ? notification.rendered.message : '';
  const sections = teams.sections === undefined ? [] : (objectList(notification, 'sections', teams.sections) ?? []);
  if (teams.facts !== undefined) sections.push({ facts: objectList(notification, 'facts', teams.facts) });
  const actions = teams.potentialAction === undefined ? null : objectList(notification, 'potentialAction', teams.potentialAction);
  // Field order and the omitted empty ones as Argo's struct has them.
  const card = {
    '@type': 'MessageCard',
    context: 'https://schema.org/extensions',
    title: teams.title ?? '',
    summary: teams.summary ?? '',
    text: teams.text ?? message,
    ...(teams.themeColor === undefined ? {} : { themeColor: teams.themeColor }),
    ...(actions?.length ? { potentialAction: actions } : {}),
    ...(sections.length ? { sections } : {}),
  };
  return goEscape(JSON.stringify(card));
}
