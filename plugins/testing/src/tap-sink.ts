import { appendFile } from 'node:fs/promises';
import { coreServices, defineSink, z, type Delivery, type Subscription } from '@herald/plugin-sdk';

const configSchema = z.strictObject({
  /** JSON-lines file that receives one line per message; log only when absent. */
  file: z.string().min(1).optional(),
  /** Bus channels to watch besides the notifications sent to this sink. */
  watch: z.array(z.enum(['events', 'results', 'deadLetters'])).default(['events']),
  /** Durable consumer name (Herald prefixes it with the plugin id); replicas with the same name share the messages. */
  durable: z.string().regex(/^[A-Za-z0-9_-]+$/).default('watch'),
});

/**
 * A sink for service type `tap` that also watches other channels: every message it sees is logged and,
 * when `file` is set, appended to a JSON-lines file. Shows what travels over the bus.
 */
export default defineSink({
  id: 'tap',
  description: 'Records what travels over the bus',
  sdkVersion: '^1.0.0',
  serviceTypes: ['tap'],
  configSchema,
  deps: { subscriber: coreServices.subscriber, logger: coreServices.logger },
  async init({ config, subscriber, logger }) {
    const record = async (line: Record<string, unknown>) => {
      logger.info(line, `tap: ${String(line.channel)} ${String(line.id)}`);
      if (config.file) await appendFile(config.file, `${JSON.stringify(line)}\n`);
    };
    const describe = (channel: string, d: Delivery<unknown>) => ({
      channel,
      id: d.event.id,
      type: d.event.type,
      subject: d.subject,
      msgId: d.headers['Nats-Msg-Id'],
      traceparent: d.traceparent,
      deliveryCount: d.deliveryCount,
      data: d.event.data,
    });
    const subscriptions: Subscription[] = [];
    for (const channel of config.watch) {
      subscriptions.push(await subscriber.subscribe(channel, { durable: `${config.durable}-${channel}` }, (d) => record(describe(channel, d))));
    }
    return {
      async send(notification) {
        await record({ channel: 'notifications', id: notification.idempotencyKey, data: notification });
      },
      async stop() {
        await Promise.all(subscriptions.map((s) => s.stop()));
      },
    };
  },
});
