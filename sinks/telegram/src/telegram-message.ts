import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';

/** The sendMessage parameters, as Telegram's Bot API names them. */
export interface TelegramMessage {
  chat_id: string;
  text: string;
  parse_mode: 'Markdown';
  message_thread_id?: number;
}

const INTEGER = /^-?\d+$/;

/**
 * The chat a recipient names, as Argo reads it: `-100123…` is a group or channel id, and
 * `-100123…|42` posts to topic 42 of a forum group; any other recipient is a public channel's username
 * (`alerts` → `@alerts`). Beyond Argo: `@alerts` is not doubled, and a positive number is a private chat id.
 */
export function chatOf(recipient: string, template: string): Pick<TelegramMessage, 'chat_id' | 'message_thread_id'> {
  if (recipient.startsWith('-')) {
    const [chat = '', thread, ...rest] = recipient.split('|');
    if (!INTEGER.test(chat) || rest.length > 0) throw DeliveryError.permanent(`recipient "${recipient}" is not a chat id (-100… or -100…|<topic id>)`);
    if (thread === undefined) return { chat_id: chat };
    if (!/^\d+$/.test(thread)) throw DeliveryError.permanent(`recipient "${recipient}": the topic after "|" must be a message thread id (a number)`);
    return { chat_id: chat, message_thread_id: Number(thread) };
  }
  if (INTEGER.test(recipient)) return { chat_id: recipient };
  if (!recipient || recipient === '@') throw DeliveryError.permanent(`template "${template}": no chat (the subscription names none, e.g. telegram:my-channel)`);
  return { chat_id: recipient.startsWith('@') ? recipient : `@${recipient}` };
}

/** The message Argo's telegram service sends: the rendered `message`, parsed by Telegram as (legacy) Markdown. */
export function buildMessage(notification: NotificationData): TelegramMessage {
  const text = typeof notification.rendered.message === 'string' ? notification.rendered.message : '';
  if (!text.trim()) throw DeliveryError.permanent(`template "${notification.template}": message is empty, and Telegram refuses an empty message`);
  return { ...chatOf(notification.destination.recipient, notification.template), text, parse_mode: 'Markdown' };
}
