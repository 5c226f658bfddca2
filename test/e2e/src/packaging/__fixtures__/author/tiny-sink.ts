// The sink of published-packages.int.test.ts: what a plugin author writes first.
import { defineSink, DeliveryError, z, type NotificationData } from '@herald/plugin-sdk';

export const delivered: NotificationData[] = [];

export default defineSink({
  id: 'tiny',
  sdkVersion: '^1.0.0',
  serviceTypes: ['tiny'],
  configSchema: z.strictObject({ refuse: z.boolean().default(false) }),
  deps: {},
  async init({ config }) {
    return {
      async send(notification) {
        if (config.refuse) throw new DeliveryError('refused', { retryable: false });
        delivered.push(notification);
      },
      async stop() {},
    };
  },
});
