import { JetStreamApiError } from '@nats-io/jetstream';
import { errors as natsErrors } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import type { Logger } from '@herald/plugin-sdk';
import { BusError, BusErrorCodes } from './errors.ts';
import { untilTopology } from './topology-wait.ts';

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const logger = { warn: (_o: unknown, msg: string) => void warnings.push(msg), info: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
  return { logger, warnings };
}

/** Fails with each of `failures` in turn, then answers. */
function attempts(failures: unknown[]): { attempt: () => Promise<string>; calls: () => number } {
  let n = 0;
  return {
    attempt: async () => {
      const failure = failures[n++];
      if (failure !== undefined) throw failure;
      return 'topology';
    },
    calls: () => n,
  };
}

describe('setting up streams and buckets while JetStream does not answer', () => {
  it('tries again, waiting longer each time up to the bound, while a cluster elects leaders', async () => {
    const { logger, warnings } = recordingLogger();
    const waits: number[] = [];
    const timeout = new BusError(BusErrorCodes.topology, 'cannot create or update KV bucket X: TimeoutError: timeout', { cause: new natsErrors.TimeoutError(), retryable: true });
    const { attempt, calls } = attempts([timeout, new natsErrors.TimeoutError(), new Error('request failed', { cause: new natsErrors.NoRespondersError('$JS.API.INFO') }), new JetStreamApiError({ code: 503, err_code: 10008, description: 'JetStream system temporarily unavailable' }), timeout]);
    const result = await untilTopology(attempt, logger, { initialMs: 500, maxMs: 2_000, sleep: async (ms) => void waits.push(ms) });
    expect(result).toBe('topology');
    expect(calls()).toBe(6);
    expect(waits).toEqual([500, 1_000, 2_000, 2_000, 2_000]);
    expect(warnings).toHaveLength(5);
  });

  it('fails at once on what trying again cannot change', async () => {
    const { logger, warnings } = recordingLogger();
    const refusal = new BusError(BusErrorCodes.topology, 'cannot create stream H_EVENTS: insufficient storage resources available', { cause: new Error('insufficient storage resources available'), retryable: true });
    const { attempt, calls } = attempts([refusal]);
    await expect(untilTopology(attempt, logger, { initialMs: 1, maxMs: 1, sleep: async () => undefined })).rejects.toBe(refusal);
    expect(calls()).toBe(1);
    expect(warnings).toEqual([]);
    const { attempt: other } = attempts([new Error('permissions violation')]);
    await expect(untilTopology(other, logger, { initialMs: 1, maxMs: 1, sleep: async () => undefined })).rejects.toThrow('permissions violation');
  });
});
