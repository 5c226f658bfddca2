import { createServiceRef, defineSource, z } from '@herald/plugin-sdk';

export default defineSource({
  id: 'unknown-dep',
  sdkVersion: '^1.0.0',
  configSchema: z.strictObject({}),
  deps: { cache: createServiceRef<Map<string, string>>('acme.cache') },
  init: async () => ({ start: async () => undefined, stop: async () => undefined }),
});
