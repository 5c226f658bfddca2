import { coreServices, defineSource, z } from '@herald/plugin-sdk';

const configSchema = z.strictObject({
  /** Milliseconds between ticks. */
  intervalMs: z.number().int().min(1).default(1_000),
  /** Stop after this many ticks; 0 = never. */
  count: z.number().int().min(0).default(0),
  namespace: z.string().min(1).default('demo'),
  name: z.string().min(1).default('ticker'),
  /** Tick number to start from (tests restart a ticker where it stopped). */
  startAt: z.number().int().min(1).default(1),
});

/**
 * A source that needs no cluster: every interval it publishes a MODIFIED event of one synthetic object
 * whose `data.seq` counts up. For demos and tests of the bus.
 */
export default defineSource({
  id: 'ticker',
  description: 'Publishes a synthetic resource event every interval',
  sdkVersion: '^1.0.0',
  configSchema,
  deps: { publisher: coreServices.publisher, logger: coreServices.logger, clock: coreServices.clock },
  async init({ config, publisher, logger, clock }) {
    const uid = `ticker-${config.namespace}-${config.name}`;
    const controller = new AbortController();
    let loop: Promise<void> | undefined;

    async function run(): Promise<void> {
      for (let seq = config.startAt; config.count === 0 || seq < config.startAt + config.count; seq++) {
        if (controller.signal.aborted) return;
        const receipt = await publisher.resourceEvent({
          action: 'MODIFIED',
          ref: { group: 'herald.dev', version: 'v1', resource: 'ticks', kind: 'Tick', namespace: config.namespace, name: config.name, uid },
          resourceVersion: String(seq),
          object: { apiVersion: 'herald.dev/v1', kind: 'Tick', metadata: { name: config.name, namespace: config.namespace, uid, resourceVersion: String(seq) }, data: { seq } },
        });
        logger.info({ seq, id: receipt.id, streamSeq: receipt.seq, duplicate: receipt.duplicate }, 'tick published');
        await clock.sleep(config.intervalMs, controller.signal).catch(() => undefined);
      }
    }

    return {
      async start() {
        loop = run().catch((err: unknown) => logger.error({ err }, 'ticker stopped on an error'));
      },
      async stop() {
        controller.abort();
        await loop;
      },
    };
  },
});
