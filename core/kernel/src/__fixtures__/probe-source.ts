import { coreServices, defineSource, secret, z } from '@herald/plugin-sdk';

/** What the probe saw at init, for tests to inspect. */
export const probeSeen: Array<{ config: unknown; services: string[] }> = [];

export default defineSource({
  id: 'probe',
  sdkVersion: '^1.0.0',
  configSchema: z.strictObject({
    endpoint: z.object({ url: z.url(), token: secret(z.string()).optional() }),
    retries: z.number().int().min(0).default(3),
  }),
  deps: { logger: coreServices.logger, clock: coreServices.clock, store: coreServices.store, publisher: coreServices.publisher },
  async init({ config, signal, ...services }) {
    void signal;
    probeSeen.push({ config, services: Object.keys(services).sort() });
    // Something for the test to find in the probe's own keys, and nowhere else.
    await services.store.put('probe-was-here', 'yes');
    return { start: async () => undefined, stop: async () => undefined };
  },
});
