import { defineSink, z } from '@herald/plugin-sdk';

/** Recipients whose send completed. */
export const slowSent: string[] = [];

/** Takes `delayMs` per send and gives up when its signal aborts, as a well-behaved HTTP sink does. */
export default defineSink({
  id: 'slow',
  sdkVersion: '^1.0.0',
  serviceTypes: ['slow'],
  configSchema: z.strictObject({ delayMs: z.number().int().default(2_000) }),
  deps: {},
  init: async ({ config }) => ({
    send: (n, { signal }) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          slowSent.push(n.destination.recipient);
          resolve();
        }, config.delayMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason as Error);
        });
      }),
    stop: async () => undefined,
  }),
});
