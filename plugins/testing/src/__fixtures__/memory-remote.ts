import { coreServices, DeliveryError, defineSink, z } from '@herald/plugin-sdk';
import type { ConformanceRemote, RemoteFailure } from '../conformance/run-sink-conformance.ts';

/** A remote side in memory: a test sink "sends" by calling `receive`, which fails as told. */
export function memoryRemote(): ConformanceRemote & { receive(signal: AbortSignal): Promise<{ ok: true } | { ok: false; kind: Exclude<RemoteFailure, 'hang'>; retryAfterMs?: number }> } {
  let accepted = 0;
  let failing: { kind: RemoteFailure; retryAfterMs?: number } | undefined;
  const hung = new Set<() => void>();
  return {
    reset() {
      failing = undefined;
      for (const release of hung) release();
      hung.clear();
    },
    failNext(kind, options) {
      failing = { kind, ...options };
    },
    accepted: () => accepted,
    receive(signal) {
      if (!failing) {
        accepted++;
        return Promise.resolve({ ok: true });
      }
      if (failing.kind !== 'hang') return Promise.resolve({ ok: false, kind: failing.kind, ...(failing.retryAfterMs === undefined ? {} : { retryAfterMs: failing.retryAfterMs }) });
      // Hangs until reset; only a sink that listens to its signal gets out earlier.
      return new Promise((_, reject) => {
        hung.add(() => reject(new Error('connection reset')));
        void signal;
      });
    },
  };
}

/** What a test sink does wrong, to check that the kit notices. */
export interface Flaws {
  leakSecret?: boolean;
  permanentIsRetryable?: boolean;
  dropRetryAfter?: boolean;
  ignoreAbort?: boolean;
  looseTemplate?: boolean;
  stopTwiceThrows?: boolean;
  neverDelivers?: boolean;
}

/** A sink of type `memory` that sends to a memory remote, well behaved unless given flaws. */
export function memorySink(remote: ReturnType<typeof memoryRemote>, flaws: Flaws = {}) {
  const block = z.object({ text: z.string().optional() });
  return defineSink({
    id: 'memory',
    sdkVersion: '^1.0.0',
    serviceTypes: ['memory'],
    configSchema: z.strictObject({}),
    serviceConfigSchema: z.strictObject({ token: z.string() }),
    templateSchema: flaws.looseTemplate ? block : block.strict(),
    deps: { logger: coreServices.logger, store: coreServices.store },
    async init({ logger }) {
      let stops = 0;
      return {
        async send(notification, { signal, service }) {
          if (flaws.leakSecret) logger.debug({ token: service.config.token }, 'sending');
          if (flaws.neverDelivers) return;
          const aborted = new Promise<never>((_, reject) => {
            if (flaws.ignoreAbort) return;
            signal.addEventListener('abort', () => reject(new DeliveryError('memory: aborted', { retryable: true })), { once: true });
          });
          const answer = await Promise.race([remote.receive(signal), aborted]).catch((err: unknown) => {
            throw err instanceof DeliveryError ? err : new DeliveryError(`memory: ${String(err)}`, { retryable: true });
          });
          if (answer.ok) return;
          const retryable = answer.kind !== 'permanent' || flaws.permanentIsRetryable === true;
          throw new DeliveryError(`memory: ${answer.kind} for ${notification.idempotencyKey}`, {
            retryable,
            ...(answer.retryAfterMs === undefined || flaws.dropRetryAfter ? {} : { retryAfterMs: answer.retryAfterMs }),
          });
        },
        async stop() {
          if (++stops > 1 && flaws.stopTwiceThrows) throw new Error('already stopped');
        },
      };
    },
  });
}
