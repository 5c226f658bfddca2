import { defineSink, z } from '@herald/plugin-sdk';

const plugin = defineSink({
  id: 'from-the-future',
  sdkVersion: '^1.0.0',
  serviceTypes: ['future'],
  configSchema: z.strictObject({}),
  deps: {},
  init: async () => ({ send: async () => undefined, stop: async () => undefined }),
});

// As a plugin built against a later, incompatible contract would look.
export default { ...plugin, contractVersion: 2 };
