import { defineSource, z } from '@herald/plugin-sdk';

/** Names of the order-* plugins, in the order they were stopped. */
export const stopOrder: string[] = [];

export default defineSource({
  id: 'order-source',
  sdkVersion: '^1.0.0',
  configSchema: z.strictObject({ name: z.string() }),
  deps: {},
  init: async ({ config }) => ({ start: async () => undefined, stop: async () => void stopOrder.push(config.name) }),
});
