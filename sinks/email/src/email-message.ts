import { z, type NotificationData, DeliveryError } from '@herald/plugin-sdk';
import { addressOf, splitRecipients } from './email-address.ts';
import { emailTemplateSchema, type EmailServiceConfig } from './email.config.ts';


// Checked strictly when the config loads; a rendered block may carry more than this sink reads.
const blockSchema = emailTemplateSchema.loose();

/** One message as it goes to the SMTP server (the same on every retry). */
export interface EmailMessage {
  from: string;
  to: string[];
  subject: string;
  text?: string;
  html?: string;
  /** Derived from the idempotency key, so a resend carries the same Message-ID. */
  messageId: string;
  headers: Record<string, string>;
}

/** What a receiver deduplicates on: the same for redeliveries of one notification, new for a re-fire. */
export function idempotencyKey(notification: NotificationData): string {
  return `${notification.idempotencyKey}:${notification.claimRevision}`;
}

/**
 * Builds the message Argo's email service would send: to the comma-separated recipients, subject from the
 * template's `email.subject`, body from `email.body` or else the rendered `message`, as HTML when the service
 * says `html: true`. Throws a permanent DeliveryError when it cannot be sent.
 */
export function buildMessage(notification: NotificationData, serviceName: string, config: EmailServiceConfig): EmailMessage {
  const what = `email "${serviceName}"`;
  const raw = notification.rendered.email;
  const parsed = raw === undefined ? undefined : blockSchema.safeParse(raw);
  if (parsed && !parsed.success) throw DeliveryError.permanent(`${what}: the rendered template block email is malformed: ${z.prettifyError(parsed.error)}`);
  const block = parsed?.data;

  const to = splitRecipients(notification.destination.recipient);
  if (to.length === 0) throw DeliveryError.permanent(`${what}: no recipient (subscribe with an address, e.g. email:ops@example.com)`);
  const bad = to.filter((r) => addressOf(r) === undefined);
  if (bad.length > 0) throw DeliveryError.permanent(`${what}: ${bad.map((r) => JSON.stringify(r)).join(', ')} is not an email address`);

  const message = notification.rendered.message;
  const body = block?.body ?? (typeof message === 'string' ? message : '');
  const key = idempotencyKey(notification);
  const domain = addressOf(config.from)?.split('@')[1] ?? 'herald.invalid';
  return {
    from: config.from,
    to,
    subject: block?.subject ?? '',
    ...(config.html ? { html: body } : { text: body }),
    // The key is hex and digits: a valid Message-ID local part as it is.
    messageId: `<${key.replace(':', '.')}@${domain}>`,
    headers: { 'X-Herald-Idempotency-Key': key },
  };
}
