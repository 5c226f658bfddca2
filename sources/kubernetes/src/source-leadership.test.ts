import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeApiError, leasePath, type KubeClient, type Lease } from '@herald/core-kube';
import type { Logger } from '@herald/plugin-sdk';
import { leaderElectionSchema } from './kubernetes-source.config.ts';
import { PublishGate } from './publish-gate.ts';
import { SourceLeadership, type Watches } from './source-leadership.ts';

const path = leasePath('herald', 'herald-source');
const config = leaderElectionSchema.parse({ leaseDuration: '4s', renewDeadline: '3s', retryPeriod: '1s' });

/** Leases in memory with resourceVersions, answering 404 and 409 as the API server does; one client per process. */
function leaseApi() {
  const leases = new Map<string, Lease>();
  let version = 0;
  const store = (at: string, lease: Lease) => {
    const stored = structuredClone({ ...lease, metadata: { ...lease.metadata, resourceVersion: String(++version) } });
    leases.set(at, stored);
    return stored;
  };
  const notFound = () => {
    throw new KubeApiError(404, 'not found', { reason: 'NotFound' });
  };
  return {
    holder: () => leases.get(path)?.spec?.holderIdentity,
    client() {
      const client = {
        server: 'https://kube.test',
        mode: 'up' as 'up' | 'hang',
        async answer<T>(signal: AbortSignal, handle: () => Lease): Promise<T> {
          if (client.mode === 'hang') return new Promise<T>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
          await Promise.resolve();
          return structuredClone(handle()) as T;
        },
        get: <T>(p: string, _query: unknown, signal: AbortSignal) => client.answer<T>(signal, () => leases.get(p) ?? notFound()),
        create: <T>(p: string, body: unknown, signal: AbortSignal) => client.answer<T>(signal, () => store(`${p}/${(body as Lease).metadata!.name}`, body as Lease)),
        replace: <T>(p: string, body: unknown, signal: AbortSignal) =>
          client.answer<T>(signal, () => {
            if ((body as Lease).metadata?.resourceVersion !== leases.get(p)?.metadata?.resourceVersion) throw new KubeApiError(409, 'conflict', { reason: 'Conflict' });
            return store(p, body as Lease);
          }),
        patch: () => Promise.reject(new Error('no patch')),
        stream: () => {
          throw new Error('no watch');
        },
      };
      return client satisfies KubeClient;
    },
  };
}

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** A source process: its gate, and every set of watches it made with what happened to it. */
function sourceProcess(api: ReturnType<typeof leaseApi>, options: { failStart?: boolean; onStop?: () => void } = {}) {
  const client = api.client();
  const gate = new PublishGate();
  const sets: { started: boolean; stopped: boolean }[] = [];
  const watches = (): Watches => {
    const set = { started: false, stopped: false };
    sets.push(set);
    return {
      descriptions: ['pods.v1'],
      start: async () => {
        if (options.failStart) throw new Error('pods is forbidden');
        set.started = true;
      },
      stop: async () => {
        options.onStop?.();
        set.stopped = true;
      },
    };
  };
  const leadership = new SourceLeadership({ client, config, namespace: 'herald', gate, watches, backoff: { baseMs: 100, maxMs: 100 }, logger: quiet });
  running.push(leadership);
  return { client, gate, sets, leadership };
}

const running: SourceLeadership[] = [];
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  const stopped = Promise.all(running.splice(0).map((l) => l.stop()));
  await vi.advanceTimersByTimeAsync(config.renewDeadline);
  await stopped;
  vi.useRealTimers();
});

describe('source leadership', () => {
  it('watches and publishes only in the process that holds the lease; the other has no watches at all', async () => {
    const api = leaseApi();
    const one = sourceProcess(api);
    const two = sourceProcess(api);
    await one.leadership.start();
    await two.leadership.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.holder()).toBe(one.leadership.identity);
    expect([one.gate.isOpen, two.gate.isOpen]).toEqual([true, false]);
    expect(one.sets).toEqual([{ started: true, stopped: false }]);
    expect(two.sets).toEqual([]);
  });

  it('losing the lease closes the gate at renewDeadline and keeps the watches; back with nobody in between, it goes on with them', async () => {
    const api = leaseApi();
    const one = sourceProcess(api);
    await one.leadership.start();
    one.client.mode = 'hang';
    await vi.advanceTimersByTimeAsync(config.renewDeadline);
    expect(one.gate.isOpen).toBe(false);
    expect(one.sets).toEqual([{ started: true, stopped: false }]);

    one.client.mode = 'up';
    await vi.advanceTimersByTimeAsync(2 * config.retryPeriod);
    expect(one.gate.isOpen).toBe(true);
    expect(one.sets).toEqual([{ started: true, stopped: false }]);
  });

  it('once another process is seen holding the lease, the old watches stop; the next term starts new ones', async () => {
    const api = leaseApi();
    const one = sourceProcess(api);
    const two = sourceProcess(api);
    await one.leadership.start();
    await two.leadership.start();
    one.client.mode = 'hang';
    await vi.advanceTimersByTimeAsync(config.leaseDuration + 2 * config.retryPeriod);
    expect(api.holder()).toBe(two.leadership.identity);
    expect([one.gate.isOpen, two.gate.isOpen]).toEqual([false, true]);
    expect(two.sets).toEqual([{ started: true, stopped: false }]);

    // A request that hung ends at its timeout (renewDeadline); the next one sees the other holder.
    one.client.mode = 'up';
    await vi.advanceTimersByTimeAsync(config.renewDeadline + 2 * config.retryPeriod);
    expect(one.sets).toEqual([{ started: true, stopped: true }]);

    await two.leadership.stop();
    expect(two.sets).toEqual([{ started: true, stopped: true }]);
    await vi.advanceTimersByTimeAsync(2 * config.retryPeriod);
    expect(one.gate.isOpen).toBe(true);
    expect(one.sets).toEqual([
      { started: true, stopped: true },
      { started: true, stopped: false },
    ]);
  });

  it('stop() closes the gate and stops the watches before it releases the lease', async () => {
    const api = leaseApi();
    let holderWhenStopping: string | null | undefined;
    const one = sourceProcess(api, { onStop: () => (holderWhenStopping = api.holder()) });
    await one.leadership.start();
    await one.leadership.stop();
    expect(one.gate.isOpen).toBe(false);
    expect(holderWhenStopping).toBe(one.leadership.identity);
    expect(api.holder()).toBe('');
  });

  it('fails start when the watches of the first term cannot start', async () => {
    const api = leaseApi();
    const one = sourceProcess(api, { failStart: true });
    await expect(one.leadership.start()).rejects.toThrow('pods is forbidden');
  });
});
