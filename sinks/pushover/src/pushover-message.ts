import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';

/** The form parameters of `POST /messages.json` Argo's pushover service sends (the token is added by the sink). */
export interface PushoverMessage {
  user: string;
  message: string;
  priority: '0';
}

/** Pushover's longest message, in characters. */
export const MAX_MESSAGE = 1_024;

const KEY = /^[A-Za-z0-9]{30}$/;

/**
 * The recipient is a user or group key; the rendered `message` is the text, at normal priority, as Argo
 * sends it. What Argo's client refuses before sending (a key that is not 30 letters and digits, an empty or
 * too long message) is a permanent error here too, before any request. Beyond Argo: the length counts
 * characters, as Pushover does, not UTF-8 bytes.
 */
export function buildMessage(notification: NotificationData): PushoverMessage {
  const user = notification.destination.recipient;
  if (!KEY.test(user)) throw DeliveryError.permanent(`recipient "${user}" is not a Pushover user or group key (30 letters and digits)`);
  const message = typeof notification.rendered.message === 'string' ? notification.rendered.message : '';
  if (!message) throw DeliveryError.permanent(`template "${notification.template}": message is empty, and Pushover refuses an empty message`);
  const length = [...message].length;
  if (length > MAX_MESSAGE) throw DeliveryError.permanent(`template "${notification.template}": message is ${length} characters, Pushover takes at most ${MAX_MESSAGE}`);
  return { user, message, priority: '0' };
}
