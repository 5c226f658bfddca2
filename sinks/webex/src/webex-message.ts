import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';

/** The body of `POST /v1/messages`, as Argo's webex service sends it. */
export interface WebexMessage {
  roomId?: string;
  toPersonEmail?: string;
  markdown: string;
}

// Argo's test of an email recipient, kept as it is so the same recipients go to people.
const EMAIL = /^\S+@\S+\.\S+$/;

/** A recipient that looks like an email goes to that person (`toPersonEmail`); anything else is a room id. */
export function buildMessage(notification: NotificationData): WebexMessage {
  const recipient = notification.destination.recipient;
  if (!recipient) throw DeliveryError.permanent(`template "${notification.template}": no recipient (the subscription names none, e.g. webex:<room id or email>)`);
  const markdown = typeof notification.rendered.message === 'string' ? notification.rendered.message : '';
  if (!markdown) throw DeliveryError.permanent(`template "${notification.template}": message is empty, and Webex refuses a message without text`);
  return EMAIL.test(recipient) ? { toPersonEmail: recipient, markdown } : { roomId: recipient, markdown };
}
