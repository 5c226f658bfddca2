import { describe, expect, it } from 'vitest';
import { coreServices, defineSource, z } from '@herald/plugin-sdk';
import { SourceConformanceError } from '../errors.ts';
import { sampleResourceEvent } from '../fakes/sample-resource-event.ts';
import tickerSource from '../ticker-source.ts';
import { runSourceConformance } from './run-source-conformance.ts';

interface Flaws {
  silent?: boolean;
  invalidData?: boolean;
  sharedKey?: boolean;
  publishesAfterStop?: boolean;
  newKeysOnRestart?: boolean;
  stopTwiceThrows?: boolean;
  logsError?: boolean;
}

// A polling source that remembers its cursor in the store, with the flaws a test turns on.
function pollingSource(flaws: Flaws = {}) {
  return defineSource({
    id: 'poller',
    sdkVersion: '^1.0.0',
    configSchema: z.strictObject({ everyMs: z.number().default(1_000) }),
    deps: { publisher: coreServices.publisher, clock: coreServices.clock, store: coreServices.store, logger: coreServices.logger },
    async init({ config, publisher, clock, store, logger }) {
      const stopping = new AbortController();
      let loop: Promise<void> | undefined;
      let stops = 0;
      return {
        async start() {
          loop = (async () => {
            let seq = Number((await store.get('cursor'))?.value ?? '0');
            for (let i = 0; i < 3; i++) {
              seq++;
              if (!flaws.silent) {
                const event = sampleResourceEvent({ resourceVersion: String(seq), object: { seq } });
                const data = flaws.invalidData ? { ...event, action: 'TOUCHED' as never } : event;
                const id = flaws.sharedKey ? 'same' : flaws.newKeysOnRestart ? `${seq}-${Math.random()}` : undefined;
                await publisher.resourceEvent(data, id === undefined ? undefined : { id });
                if (flaws.logsError) logger.error({ seq }, 'oops');
              }
              // The checkpoint lags one event, as at-least-once sources do: a restart republishes the last one.
              await store.put('cursor', String(seq - 1));
              await clock.sleep(config.everyMs, flaws.publishesAfterStop ? undefined : stopping.signal).catch(() => undefined);
              if (stopping.signal.aborted && !flaws.publishesAfterStop) return;
            }
          })();
        },
        async stop() {
          if (flaws.stopTwiceThrows && ++stops > 1) throw new Error('already stopped');
          stopping.abort();
          if (!flaws.publishesAfterStop) await loop;
        },
      };
    },
  });
}

describe('runSourceConformance', () => {
  it('passes the ticker source, listing the checks, and returns what each run published', async () => {
    const report = await runSourceConformance({ plugin: tickerSource, pluginConfig: { intervalMs: 1_000 }, events: 3 });
    expect(report.passed).toEqual(['plugin-config', 'init', 'publishes', 'valid-events', 'stop-idempotent', 'quiet-after-stop', 'idempotency-keys', 'no-error-logged', 'restart-same-keys']);
    expect(report.published.first.map((p) => (p.data as { resourceVersion: string }).resourceVersion)).toEqual(['1', '2', '3']);
  });

  it('passes a source that keeps a cursor in the store and republishes with the same keys', async () => {
    const report = await runSourceConformance({ plugin: pollingSource(), events: 2 });
    expect(report.passed).toContain('restart-same-keys');
    expect(report.published.restart.length).toBeGreaterThan(0);
  });

  it.each<[string, Flaws, string]>([
    ['a source that publishes nothing', { silent: true }, 'publishes'],
    ['an event that is not valid ResourceEventData', { invalidData: true }, 'valid-events'],
    ['two different events under one key', { sharedKey: true }, 'idempotency-keys'],
    ['a second stop() that throws', { stopTwiceThrows: true }, 'stop-idempotent'],
    ['a source that publishes after stop()', { publishesAfterStop: true }, 'quiet-after-stop'],
    ['an error logged in a normal run', { logsError: true }, 'no-error-logged'],
    ['new keys for the same events after a restart', { newKeysOnRestart: true }, 'restart-same-keys'],
  ])('fails %s, naming the check', async (_what, flaws, check) => {
    const err = await runSourceConformance({ plugin: pollingSource(flaws), events: 2, timeoutMs: 1_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SourceConformanceError);
    expect(err).toMatchObject({ check });
    expect((err as Error).message).toMatch(new RegExp(`^source conformance: ${check}: `));
  });

  it('fails options the source refuses, naming the key', async () => {
    await expect(runSourceConformance({ plugin: tickerSource, pluginConfig: { intervalMs: 'often' } })).rejects.toThrow(/^source conformance: plugin-config: .*intervalMs/s);
  });
});
