import type { MessageAttributeValue, SendMessageCommandInput } from '@aws-sdk/client-sqs';
import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';
import type { AwssqsServiceConfig } from './awssqs.config.ts';

/** The rendered `awssqs` block of a notification (Argo's fields, every value rendered to text). */
interface RenderedBlock {
  messageAttributes?: Record<string, unknown>;
  messageGroupId?: unknown;
}

/**
 * The notification's idempotency key, as every Herald sink carries it: the same for every resend of one
 * notification, new when the condition fires again. A FIFO queue's MessageDeduplicationId.
 */
export function idempotencyKey(notification: NotificationData): string {
  return `${notification.idempotencyKey}:${notification.claimRevision}`;
}

/** A FIFO queue's name ends with `.fifo` (SQS's rule). */
export function isFifo(queueName: string): boolean {
  return queueName.endsWith('.fifo');
}

/**
 * The SendMessage input for the notification, as Argo builds it, plus what Argo leaves out: the body is the
 * rendered `message`; the block's message attributes go as String attributes (an empty one is left out:
 * SQS refuses empty values); `messageGroupId` when rendered non-empty. A standard queue gets the service's
 * DelaySeconds (10, as Argo); a FIFO queue gets none (SQS refuses a per-message delay there) and the
 * idempotency key as MessageDeduplicationId, so a resend within five minutes is dropped by SQS.
 */
export function buildSendMessage(notification: NotificationData, queueUrl: string, queueName: string, options: AwssqsServiceConfig): SendMessageCommandInput {
  const block = (notification.rendered.awssqs ?? {}) as RenderedBlock;
  if (typeof block !== 'object' || block === null) throw DeliveryError.permanent(`template "${notification.template}": the awssqs block is not a mapping`);
  const message = typeof notification.rendered.message === 'string' ? notification.rendered.message : '';
  const input: SendMessageCommandInput = { QueueUrl: queueUrl, MessageBody: message };

  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(block.messageAttributes ?? {})) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text) attributes[name] = { DataType: 'String', StringValue: text };
  }
  if (Object.keys(attributes).length > 0) input.MessageAttributes = attributes;
  if (typeof block.messageGroupId === 'string' && block.messageGroupId !== '') input.MessageGroupId = block.messageGroupId;

  if (isFifo(queueName)) input.MessageDeduplicationId = idempotencyKey(notification);
  else input.DelaySeconds = options.delaySeconds;
  return input;
}
