import { defineSink, z } from '@herald/plugin-sdk';

/** Notifications it was asked to send; it must be asked none once its start failed. */
export const sentByTwoTypes: string[] = [];

/** Its second service type makes a durable name the server refuses, so its start fails half-way. */
export default defineSink({
  id: 'two-types',
  sdkVersion: '^1.0.0',
  serviceTypes: ['good', 'x'.repeat(300)],
  configSchema: z.strictObject({}),
  deps: {},
  init: async () => ({
    send: async (n) => void sentByTwoTypes.push(n.destination.recipient),
    stop: async () => undefined,
  }),
});
