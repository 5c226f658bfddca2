import { createHash } from 'node:crypto';
import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';
import { parse } from 'yaml';
import { goEscape, sortedKeys } from '@herald/plugin-http';

/** The rendered `googlechat` block: Argo's fields, each template text; an empty one counts as unset. */
export interface GoogleChatBlock {
  cards?: string;
  cardsV2?: string;
  threadKey?: string;
}

// Argo posts with REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD: a reply in the key's thread, or its first message.
const REPLY_OPTION = 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD';

function block(notification: NotificationData): GoogleChatBlock {
  const raw = notification.rendered.googlechat;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw DeliveryError.permanent(`template "${notification.template}": googlechat must be a mapping`);
  const out: GoogleChatBlock = {};
  for (const field of ['cards', 'cardsV2', 'threadKey'] as const) {
    const value = (raw as Record<string, unknown>)[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw DeliveryError.permanent(`template "${notification.template}": googlechat.${field} must be text`);
    out[field] = value;
  }
  return out;
}

/** A rendered YAML (or JSON) list of cards, as Argo reads it; null or empty: none. */
function cardList(notification: NotificationData, field: 'cards' | 'cardsV2', text: string): Record<string, unknown>[] {
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    throw DeliveryError.permanent(`template "${notification.template}": googlechat.${field} is not valid YAML or JSON after rendering: ${(err as Error).message.split('\n')[0]}`);
  }
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || value.some((card) => typeof card !== 'object' || card === null || Array.isArray(card))) {
    throw DeliveryError.permanent(`template "${notification.template}": googlechat.${field} must render to a list of cards`);
  }
  return sortedKeys(value) as Record<string, unknown>[];
}

/**
 * A card id shaped like the UUIDs Argo gives, but derived from the notification, so every retry of it sends
 * the same bytes.
 */
function cardId(notification: NotificationData, index: number): string {
  const h = createHash('sha256').update(`${notification.idempotencyKey}:${notification.claimRevision}:${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The message Argo's googlechat service posts: the cards when the block has any (and an empty `text`, which
 * Argo always sends), else the `message` as text. Throws a permanent DeliveryError for a field that does
 * not render to a list of cards.
 */
export function googleChatBody(notification: NotificationData): string {
  const chat = block(notification);
  if (chat.cards === undefined && chat.cardsV2 === undefined) {
    return goEscape(JSON.stringify({ text: typeof notification.rendered.message === 'string' ? notification.rendered.message : '' }));
  }
  const cards = chat.cards === undefined ? [] : cardList(notification, 'cards', chat.cards);
  const cardsV2 = chat.cardsV2 === undefined ? [] : cardList(notification, 'cardsV2', chat.cardsV2).map((card, i) => ({ card, cardId: cardId(notification, i) }));
  // Card fields in key order: the order of the generated Go types Argo marshals them with.
  return goEscape(JSON.stringify({ text: '', ...(cards.length ? { cards } : {}), ...(cardsV2.length ? { cardsV2 } : {}) }));
}

// Go's url.QueryEscape: only letters, digits and -_.~ stay; a space is `+`.
const queryEscape = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');

/**
 * The URL Argo posts to: the webhook's own when there is no thread key; with one, its query plus `threadKey`
 * and `messageReplyOption`, re-encoded and sorted by name as Go's url.Values.Encode does.
 */
export function postUrl(notification: NotificationData, webhook: string): URL {
  const url = new URL(webhook);
  const threadKey = block(notification).threadKey;
  if (threadKey === undefined) return url;
  const params = [...url.searchParams, ['threadKey', threadKey], ['messageReplyOption', REPLY_OPTION]] as [string, string][];
  const sorted = params.map((p, i) => [p, i] as const).sort(([a, i], [b, j]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : i - j));
  url.search = sorted.map(([[k, v]]) => `${queryEscape(k)}=${queryEscape(v)}`).join('&');
  return url;
}
