import { coreServices, defineSource, z } from '@herald/plugin-sdk';

/** Events its subscription handled; it must handle none once its start failed. */
export const handled: string[] = [];

export default defineSource({
  id: 'start-fails',
  sdkVersion: '^1.0.0',
  configSchema: z.strictObject({}),
  deps: { subscriber: coreServices.subscriber },
  async init({ subscriber }) {
    await subscriber.subscribe('events', { durable: 'watch' }, async (d) => {
      handled.push(d.event.id);
    });
    return {
      start: async () => {
        throw new Error('upstream API refused the watch');
      },
      stop: async () => undefined,
    };
  },
});
