import { DeliveryError } from '@herald/plugin-sdk';
import type { NotificationData } from '@herald/plugin-sdk';

import { deliveryPolicies, type DeliveryPolicy, type SlackServiceConfig } from './slack.config.ts';

/** The rendered `slack` block of a notification, as the evaluator produced it from Argo's fields. */
export interface SlackBlock {
  attachments?: string;
  blocks?: string;
  username?: string;
  icon?: string;
  groupingKey?: string;
  notifyBroadcast?: boolean;
  deliveryPolicy?: DeliveryPolicy;
}

/** What `chat.postMessage` and `chat.update` get for one notification (the same on every retry). */
export interface SlackMessage {
  text: string;
  username?: string;
  icon_emoji?: string;
  icon_url?: string;
  attachments?: unknown[];
  blocks?: unknown[];
  unfurl_links?: boolean;
  unfurl_media?: boolean;
  metadata: { event_type: 'herald_notification'; event_payload: { idempotency_key: string } };
}

/** How the message joins its `groupingKey` thread, if it has one. */
export interface Threading {
  groupingKey: string;
  broadcast: boolean;
  policy: DeliveryPolicy;
}

const EMOJI = /^:.+:$/;

function isIconUrl(icon: string): boolean {
  try {
    const url = new URL(icon);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
  } catch {
    return false;
  }
}

/** The key a receiver tells a resend by: the same for redeliveries of one notification, new for a re-fire. */
export function idempotencyKey(notification: NotificationData): string {
  return `${notification.idempotencyKey}:${notification.claimRevision}`;
}

function block(notification: NotificationData): SlackBlock {
  const raw = notification.rendered.slack;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw DeliveryError.permanent(`template "${notification.template}": slack must be a mapping`);
  const b = raw as Record<string, unknown>;
  const text = (field: string): string | undefined => {
    const value = b[field];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw DeliveryError.permanent(`template "${notification.template}": slack.${field} must be text`);
    return value;
  };
  const policy = b.deliveryPolicy;
  if (policy !== undefined && policy !== null && policy !== '' && !deliveryPolicies.includes(policy as DeliveryPolicy)) {
    throw DeliveryError.permanent(`template "${notification.template}": slack.deliveryPolicy must be one of ${deliveryPolicies.join(', ')}`);
  }
  return {
    ...(text('attachments') ? { attachments: text('attachments')! } : {}),
    ...(text('blocks') ? { blocks: text('blocks')! } : {}),
    ...(text('username') ? { username: text('username')! } : {}),
    ...(text('icon') ? { icon: text('icon')! } : {}),
    ...(text('groupingKey') ? { groupingKey: text('groupingKey')! } : {}),
    notifyBroadcast: b.notifyBroadcast === true || b.notifyBroadcast === 'true',
    ...(policy ? { deliveryPolicy: policy as DeliveryPolicy } : {}),
  };
}

/** A JSON list rendered from a template: anything else is the template's fault, named with its field. */
function jsonList(notification: NotificationData, field: 'attachments' | 'blocks', text: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw DeliveryError.permanent(`template "${notification.template}": slack.${field} is not valid JSON after rendering: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) throw DeliveryError.permanent(`template "${notification.template}": slack.${field} must render to a JSON list, got ${value === null ? 'null' : typeof value}`);
  return value;
}

/**
 * Builds the message Argo's slack service would send: the rendered `message` as text; username and icon
 * from the template's block, else the service's (an icon that is neither `:emoji:` nor an http(s) URL is
 * left out, as Argo does); attachments and blocks parsed from their rendered JSON. Herald adds the
 * notification's idempotency key as message metadata. Throws a permanent DeliveryError for a bad block.
 */
export function buildMessage(notification: NotificationData, config: SlackServiceConfig): { message: SlackMessage; threading: Threading | undefined } {
  const slack = block(notification);
  const message: SlackMessage = {
    text: typeof notification.rendered.message === 'string' ? notification.rendered.message : '',
    metadata: { event_type: 'herald_notification', event_payload: { idempotency_key: idempotencyKey(notification) } },
  };
  const username = slack.username ?? config.username;
  if (username) message.username = username;
  const icon = slack.icon ?? config.icon;
  if (icon && EMOJI.test(icon)) message.icon_emoji = icon;
  else if (icon && isIconUrl(icon)) message.icon_url = icon;
  if (slack.attachments) message.attachments = jsonList(notification, 'attachments', slack.attachments);
  if (slack.blocks) message.blocks = jsonList(notification, 'blocks', slack.blocks);
  if (config.disableUnfurl) {
    message.unfurl_links = false;
    message.unfurl_media = false;
  }
  const threading = slack.groupingKey ? { groupingKey: slack.groupingKey, broadcast: slack.notifyBroadcast ?? false, policy: slack.deliveryPolicy ?? 'Post' } : undefined;
  return { message, threading };
}
