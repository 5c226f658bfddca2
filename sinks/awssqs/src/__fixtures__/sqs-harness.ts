import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { recordingLogger, sampleNotification, type RecordingLogger } from '@herald/plugin-testing';
import type { NotificationData, SinkHandle } from '@herald/plugin-sdk';
import awssqs from '../awssqs-sink.ts';
import { awssqsPluginConfigSchema, awssqsServiceConfigSchema, type AwssqsServiceConfig, type AwssqsServiceConfigInput } from '../awssqs.config.ts';

/** The error a promise rejected with (fails when it resolved): the kit's `rejectionOf`. */
export { rejectionOf as rejection } from '@herald/plugin-testing';

export const KEY = 'AKIDHERALDTEST1234';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';

/** A client straight to moto, for the tests to make queues and read messages back (moto keeps queues per region: the services' us-west-2). */
export function adminClient(directEndpoint: string): SQSClient {
  return new SQSClient({ region: 'us-west-2', endpoint: directEndpoint, credentials: { accessKeyId: 'admin', secretAccessKey: 'admin' } });
}

export async function createQueue(admin: SQSClient, name: string): Promise<string> {
  const answer = await admin.send(new CreateQueueCommand({ QueueName: name, ...(name.endsWith('.fifo') ? { Attributes: { FifoQueue: 'true' } } : {}) }));
  return answer.QueueUrl!;
}

/** Every message now visible in the queue, with all their attributes (received, not deleted). */
export async function receiveAll(admin: SQSClient, queueUrl: string): Promise<Message[]> {
  const answer = await admin.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], VisibilityTimeout: 0 }));
  return answer.Messages ?? [];
}

/** The queue's counts, as SQS reports them. */
export async function queueCounts(admin: SQSClient, queueUrl: string): Promise<{ visible: number; delayed: number }> {
  const answer = await admin.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] }));
  return { visible: Number(answer.Attributes?.ApproximateNumberOfMessages), delayed: Number(answer.Attributes?.ApproximateNumberOfMessagesDelayed) };
}

export interface TestSink {
  handle: SinkHandle<AwssqsServiceConfig>;
  logger: RecordingLogger;
  send(notification: NotificationData, service: AwssqsServiceConfigInput, options?: { name?: string; signal?: AbortSignal }): Promise<void>;
}

export async function startSink(config: Record<string, unknown> = {}): Promise<TestSink> {
  const logger = recordingLogger();
  const handle = await awssqs.init({ config: awssqsPluginConfigSchema.parse(config), logger, signal: new AbortController().signal });
  return {
    handle,
    logger,
    send: (notification, service, { name = 'awssqs', signal = new AbortController().signal } = {}) =>
      handle.send(notification, { attempt: 1, signal, service: { type: 'awssqs', name, config: awssqsServiceConfigSchema.parse(service) } }),
  };
}

/** A notification to `queue` with the given rendered template. */
export function notification(queue: string, rendered: Record<string, unknown>): NotificationData {
  return sampleNotification({ destination: { serviceType: 'awssqs', service: 'awssqs', recipient: queue }, rendered });
}

