import { defineSink, DeliveryError, z } from '@herald/plugin-sdk';

export interface SendRecord {
  /** The `name` option of the plugin instance (the sink process) that sent it. */
  sender: string;
  serviceType: string;
  recipient: string;
  attempt: number;
  /** When send was called (Date.now()). */
  at: number;
  /** When it ended, and how. */
  end?: number;
  outcome?: 'sent' | 'failed' | 'aborted';
}

/** Every call of send, in order. */
export const sends: SendRecord[] = [];
/** The most sends in flight at once, by recipient. */
export const peakInFlight = new Map<string, number>();
const inFlight = new Map<string, number>();
/** `throttle` answered its first call, whichever instance made it. */
let throttled = false;

/**
 * Destinations that behave differently, by recipient:
 * - `dead`: hangs until its signal aborts (the call timeout), or with `dead: fail` fails at once (503);
 * - `fail-*`: always fails, transiently, without Retry-After;
 * - `throttle`: the first call (of any instance) is answered 429 with Retry-After `retryAfterMs`, later ones are accepted;
 * - `slow-*`: accepted after `slowMs`;
 * - anything else (`ok-*`…): accepted at once.
 */
export default defineSink({
  id: 'destinations',
  sdkVersion: '^1.0.0',
  serviceTypes: ['isolated', 'limited', 'jittery'],
  configSchema: z.strictObject({
    dead: z.enum(['hang', 'fail']).default('hang'),
    slowMs: z.number().int().default(150),
    retryAfterMs: z.number().int().default(300),
    record: z.boolean().default(true),
    name: z.string().default(''),
  }),
  deps: {},
  async init({ config }) {
    return {
      async send(notification, { attempt, signal }) {
        const { recipient, serviceType } = notification.destination;
        const record: SendRecord = { sender: config.name, serviceType, recipient, attempt, at: Date.now() };
        if (config.record) sends.push(record);
        const running = (inFlight.get(recipient) ?? 0) + 1;
        inFlight.set(recipient, running);
        peakInFlight.set(recipient, Math.max(running, peakInFlight.get(recipient) ?? 0));
        try {
          await behave(recipient, signal);
          record.outcome = 'sent';
        } catch (err) {
          record.outcome = signal.aborted ? 'aborted' : 'failed';
          throw err;
        } finally {
          record.end = Date.now();
          inFlight.set(recipient, inFlight.get(recipient)! - 1);
        }
      },
      async stop() {},
    };

    async function behave(recipient: string, signal: AbortSignal): Promise<void> {
      if (recipient === 'dead') {
        if (config.dead === 'fail') throw new DeliveryError('503 Service Unavailable', { retryable: true });
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
      }
      if (recipient.startsWith('fail-')) throw new DeliveryError('502 Bad Gateway', { retryable: true });
      if (recipient === 'throttle' && !throttled) {
        throttled = true;
        throw new DeliveryError('429 Too Many Requests', { retryable: true, retryAfterMs: config.retryAfterMs });
      }
      if (recipient.startsWith('slow-')) await new Promise((r) => setTimeout(r, config.slowMs));
    }
  },
});
