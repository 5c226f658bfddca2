import { defineSink, z } from '@herald/plugin-sdk';

export default defineSink({
  id: 'needs-newer-sdk',
  sdkVersion: '^3.0.0',
  serviceTypes: ['newer'],
  configSchema: z.strictObject({}),
  deps: {},
  init: async () => ({ send: async () => undefined, stop: async () => undefined }),
});
