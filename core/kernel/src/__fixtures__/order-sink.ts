import { defineSink, z } from '@herald/plugin-sdk';
import { stopOrder } from './order-source.ts';

export default defineSink({
  id: 'order-sink',
  sdkVersion: '^1.0.0',
  serviceTypes: ['order'],
  configSchema: z.strictObject({ name: z.string() }),
  deps: {},
  init: async ({ config }) => ({ send: async () => undefined, stop: async () => void stopOrder.push(config.name) }),
});
