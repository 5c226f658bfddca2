import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';
import type { RocketchatServiceConfig } from './rocketchat.config.ts';

/** The body of `chat.postMessage`, as Argo's rocketchat service sends it (empty fields left out). */
export interface RocketchatMessage {
  roomId?: string;
  channel?: string;
  text?: string;
  alias?: string;
  emoji?: string;
  avatar?: string;
  attachments?: unknown[];
}

const EMOJI = /^:.+:$/;

function isAvatarUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
  } catch {
    return false;
  }
}

/** What Argo leaves out of a message and warns about: an icon that is no `:emoji:`, an avatar that is no http(s) URL. */
export function ignoredOptions(config: RocketchatServiceConfig): string[] {
  return [...(config.icon && !EMOJI.test(config.icon) ? ['icon'] : []), ...(config.avatar && !isAvatarUrl(config.avatar) ? ['avatar'] : [])];
}

/**
 * Argo's message: a `#channel` or `@user` recipient is a `channel`, anything else a `roomId`; the rendered
 * `message` as text; `alias`, `icon` (as `emoji`) and `avatar` from the service; the block's `attachments`
 * parsed from their rendered JSON. Beyond Argo: attachment fields its Go struct does not know (`actions`…)
 * are kept, and no `collapsed: false` is added to each.
 */
export function buildMessage(notification: NotificationData, config: RocketchatServiceConfig): RocketchatMessage {
  const recipient = notification.destination.recipient;
  const where = `template "${notification.template}"`;
  if (!recipient) throw DeliveryError.permanent(`${where}: no room (the subscription names none, e.g. rocketchat:#alerts)`);
  const message: RocketchatMessage = recipient.startsWith('#') || recipient.startsWith('@') ? { channel: recipient } : { roomId: recipient };
  const text = typeof notification.rendered.message === 'string' ? notification.rendered.message : '';
  if (text) message.text = text;
  if (config.alias) message.alias = config.alias;
  if (config.icon && EMOJI.test(config.icon)) message.emoji = config.icon;
  if (config.avatar && isAvatarUrl(config.avatar)) message.avatar = config.avatar;
  const block = notification.rendered.rocketchat;
  if (block !== undefined && block !== null) {
    if (typeof block !== 'object' || Array.isArray(block)) throw DeliveryError.permanent(`${where}: rocketchat must be a mapping`);
    const raw = (block as Record<string, unknown>).attachments;
    if (raw !== undefined && raw !== null && raw !== '') {
      if (typeof raw !== 'string') throw DeliveryError.permanent(`${where}: rocketchat.attachments must be text`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch (err) {
        throw DeliveryError.permanent(`${where}: rocketchat.attachments is not valid JSON after rendering: ${(err as Error).message}`);
      }
      if (!Array.isArray(parsed)) throw DeliveryError.permanent(`${where}: rocketchat.attachments must render to a JSON list`);
      if (parsed.length) message.attachments = parsed;
    }
  }
  return message;
}
