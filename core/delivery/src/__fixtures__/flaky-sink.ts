import { defineSink, DeliveryError, z } from '@herald/plugin-sdk';

/** Every send the sink accepted, by recipient, with its attempt number. */
export const delivered: Array<{ recipient: string; attempt: number; body: unknown }> = [];
/** Every call of send, with its time. */
export const calls: Array<{ recipient: string; attempt: number; at: number }> = [];

/** Recipient `ok` accepts, `once` fails once with Retry-After, `never` refuses for good, `crash` throws a bug. */
export default defineSink({
  id: 'flaky',
  sdkVersion: '^1.0.0',
  serviceTypes: ['flaky'],
  configSchema: z.strictObject({}),
  deps: {},
  async init() {
    return {
      async send(notification, { attempt }) {
        const { recipient } = notification.destination;
        calls.push({ recipient, attempt, at: Date.now() });
        if (recipient === 'once' && attempt === 1) throw new DeliveryError('503 from upstream', { retryable: true, retryAfterMs: 100 });
        if (recipient === 'never') throw new DeliveryError('404 no such channel', { retryable: false });
        if (recipient === 'crash') throw new TypeError("Cannot read properties of undefined (reading 'channel')");
        delivered.push({ recipient, attempt, body: notification.rendered });
      },
      async stop() {},
    };
  },
});
