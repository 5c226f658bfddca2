import { defineSink, z } from '@herald/plugin-sdk';

export default defineSink({
  id: 'init-throws',
  sdkVersion: '^1.0.0',
  serviceTypes: ['broken'],
  configSchema: z.strictObject({}),
  deps: {},
  async init() {
    throw new Error('cannot reach the pager API');
  },
});
