import { defineSink, z } from '@herald/plugin-sdk';

export default defineSink({
  id: 'init-hangs',
  sdkVersion: '^1.0.0',
  serviceTypes: ['slow'],
  configSchema: z.strictObject({}),
  deps: {},
  init: () => new Promise<never>(() => undefined),
});
