import { SendMessageCommand, SQSServiceException } from '@aws-sdk/client-sqs';
import { coreServices, defineSink, DeliveryError, isDeliveryError, maskErrorSecrets, serviceOptionsReader } from '@herald/plugin-sdk';
import { awssqsPluginConfigSchema, awssqsServiceConfigSchema, awssqsTemplateSchema } from './awssqs.config.ts';
import { ClientPool } from './client-pool.ts';
import { sqsError } from './errors.ts';
import { buildSendMessage } from './sqs-message.ts';

/**
 * Argo's awssqs service: the rendered message sent to the queue (the recipient, else the service's
 * `queue`) with the official SDK, one attempt per `send`. Beyond Argo: the template's message attributes
 * are sent (Argo renders them and drops them), a FIFO queue gets the idempotency key as
 * MessageDeduplicationId and no per-message delay (which SQS refuses there), the queue URL is looked up
 * once per service and queue, and SQS's refusals are permanent with its error text.
 */
export default defineSink({
  id: 'awssqs',
  description: "Sends notifications to Amazon SQS queues, like Argo's awssqs service, FIFO deduplicated by the idempotency key",
  sdkVersion: '^1.0.0',
  serviceTypes: ['awssqs'],
  configSchema: awssqsPluginConfigSchema,
  serviceConfigSchema: awssqsServiceConfigSchema,
  templateSchema: awssqsTemplateSchema,
  // SendMessage on a FIFO queue: 300 calls a second per queue (without high throughput mode); standard
  // queues take nearly unlimited calls, so the FIFO figure is the default per destination (service, queue).
  limits: { perSecond: 300, burst: 300 },
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const pool = new ClientPool();
    // Aborted by stop(): later sends fail at once, calls in flight are cut.
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const serviceConfig = serviceOptionsReader('awssqs', awssqsServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const what = `awssqs "${service.name}"`;
        if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: stopping.signal.reason });
        const options = serviceConfig(service);
        // As Argo: the subscription's recipient names the queue, else the service's `queue` does.
        const queueName = notification.destination.recipient || options.queue;
        if (!queueName) throw DeliveryError.permanent(`${what}: no queue (neither the subscription nor the service's queue option names one)`);
        const timeoutMs = options.timeout ?? config.timeout;
        const timeout = AbortSignal.timeout(timeoutMs);
        const bound = AbortSignal.any([signal, stopping.signal, timeout]);
        const secrets = [options.key ?? '', options.secret ?? '', ...(service.secrets ?? [])].filter((s) => s.length > 0);
        let step = `${what}: GetQueueUrl of ${queueName}`;

        try {
          const queueUrl = await pool.queueUrl(service.name, options, queueName, bound);
          step = `${what}: SendMessage to ${queueName}`;
          const input = buildSendMessage(notification, queueUrl, queueName, options);
          const answer = await pool.client(service.name, options).send(new SendMessageCommand(input), { abortSignal: bound });
          logger.debug({ service: service.name, queue: queueName, messageId: answer.MessageId, stateKey: notification.stateKey }, 'awssqs message sent');
        } catch (err) {
          if (isDeliveryError(err)) throw maskErrorSecrets(err, secrets);
          if (bound.aborted) {
            const reason = timeout.aborted && !signal.aborted && !stopping.signal.aborted ? new Error(`no answer within ${timeoutMs} ms`) : bound.reason;
            throw maskErrorSecrets(DeliveryError.aborted(step, reason), secrets);
          }
          if (err instanceof SQSServiceException && err.name === 'QueueDoesNotExist') pool.forget(service.name, options, queueName);
          throw maskErrorSecrets(sqsError(step, err), secrets);
        }
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('awssqs sink stopped', 'AbortError'));
          pool.close();
        })();
        return stopped;
      },
    };
  },
});
