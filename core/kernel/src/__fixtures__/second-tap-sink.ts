import { defineSink, z } from '@herald/plugin-sdk';

/** Claims the `tap` service type that @herald/plugin-testing/tap already delivers. */
export default defineSink({
  id: 'second-tap',
  sdkVersion: '^1.0.0',
  serviceTypes: ['tap'],
  configSchema: z.strictObject({}),
  deps: {},
  init: async () => ({ send: async () => undefined, stop: async () => undefined }),
});
