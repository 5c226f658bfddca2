import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeApiError } from '../informer/kube-api-error.ts';
import type { KubeClient } from '../informer/kube-client.ts';
import { LeaderElector, type LeaderElectorOptions, type LeaderTerm } from './leader-elector.ts';
import { leasePath, type Lease } from './lease.ts';

const path = leasePath('herald', 'herald-source');
const timing = { leaseDuration: 4_000, renewDeadline: 3_000, retryPeriod: 1_000 };

/** An API server that keeps leases in memory, with resourceVersions and 404/409 as the real one answers. */
class LeaseApi {
  readonly leases = new Map<string, Lease>();
  #version = 0;

  /** A candidate's client. `down` fails its requests; `hang` holds them until aborted. */
  client(): KubeClient & { mode: 'up' | 'down' | 'hang'; requests: string[] } {
    const leases = this.leases;
    const store = (at: string, lease: Lease) => this.store(at, lease);
    const answer = async <T>(method: string, signal: AbortSignal, handle: () => Lease): Promise<T> => {
      client.requests.push(method);
      if (client.mode === 'down') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      if (client.mode === 'hang') return new Promise<T>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
      await Promise.resolve();
      return structuredClone(handle()) as T;
    };
    const client = {
      server: 'https://kube.test',
      mode: 'up' as 'up' | 'down' | 'hang',
      requests: [] as string[],
      get: <T>(p: string, _query: unknown, signal: AbortSignal) => answer<T>('get', signal, () => leases.get(p) ?? notFound()),
      create: <T>(p: string, body: unknown, signal: AbortSignal) =>
        answer<T>('create', signal, () => {
          const lease = body as Lease;
          const at = `${p}/${lease.metadata!.name}`;
          if (leases.has(at)) throw new KubeApiError(409, 'leases.coordination.k8s.io "herald-source" already exists', { reason: 'AlreadyExists' });
          return store(at, lease);
        }),
      replace: <T>(p: string, body: unknown, signal: AbortSignal) =>
        answer<T>('replace', signal, () => {
          const current = leases.get(p) ?? notFound();
          const lease = body as Lease;
          if (lease.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
            throw new KubeApiError(409, 'Operation cannot be fulfilled on leases.coordination.k8s.io "herald-source": the object has been modified', { reason: 'Conflict' });
          }
          return store(p, lease);
        }),
      patch: () => Promise.reject(new Error('electors never patch')),
      stream: () => {
        throw new Error('electors never watch');
      },
    };
    return client;
  }

  store(at: string, lease: Lease): Lease {
    const stored = structuredClone({ ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.#version) } });
    this.leases.set(at, stored);
    return stored;
  }

  get spec() {
    return this.leases.get(path)?.spec;
  }
}

function notFound(): never {
  throw new KubeApiError(404, 'leases.coordination.k8s.io "herald-source" not found', { reason: 'NotFound' });
}

/** One candidate and what happened to it, with the (fake) time of each event. */
function candidate(api: LeaseApi, identity: string, options: Partial<LeaderElectorOptions> = {}) {
  const client = api.client();
  const log: string[] = [];
  const terms: { term: LeaderTerm; signal: AbortSignal; startedAt: number; stoppedAt?: number }[] = [];
  const elector = new LeaderElector({
    client,
    namespace: 'herald',
    name: 'herald-source',
    identity,
    ...timing,
    random: () => 0,
    onStartedLeading: (signal, term) => {
      terms.push({ term, signal, startedAt: Date.now() });
      log.push(`started (previous "${term.previousHolder}")`);
    },
    onStoppedLeading: () => {
      terms.at(-1)!.stoppedAt = Date.now();
      log.push('stopped');
    },
    onNewLeader: (holder) => log.push(`leader ${holder}`),
    ...options,
  });
  electors.push(elector);
  return { elector, client, log, terms };
}

const electors: LeaderElector[] = [];
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
});
afterEach(async () => {
  const stopped = Promise.all(electors.splice(0).map((e) => e.stop()));
  await vi.advanceTimersByTimeAsync(timing.renewDeadline);
  await stopped;
  vi.useRealTimers();
});

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const ms = (microTime: string | null | undefined) => Date.parse(microTime!);

describe('leader elector', () => {
  it('creates the lease and leads; a second candidate stands by; one leader at any time, renewing with one write each retryPeriod', async () => {
    const api = new LeaseApi();
    const a = candidate(api, 'a');
    const b = candidate(api, 'b');
    await a.elector.start();
    await b.elector.start();
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(b.elector.leader).toBe('a');
    expect(api.spec).toEqual({ holderIdentity: 'a', leaseDurationSeconds: 4, acquireTime: '2030-01-01T00:00:00.000000Z', renewTime: '2030-01-01T00:00:00.000000Z', leaseTransitions: 0 });

    const requestsBefore = a.client.requests.length;
    await advance(30_000);
    expect(a.log).toEqual(['leader a', 'started (previous "")']);
    expect(b.log).toEqual(['leader a']);
    expect(a.client.requests.slice(requestsBefore)).toEqual(Array(30).fill('replace'));
    expect(ms(api.spec?.renewTime)).toBe(Date.now());
    expect(api.spec).toMatchObject({ holderIdentity: 'a', acquireTime: '2030-01-01T00:00:00.000000Z', leaseTransitions: 0 });
  });

  it('a leader that cannot renew stops leading before the lease may be taken; the other takes over after leaseDuration', async () => {
    const api = new LeaseApi();
    const a = candidate(api, 'a');
    const b = candidate(api, 'b');
    await a.elector.start();
    await b.elector.start();
    await advance(5_000);
    const lastRenewal = ms(api.spec?.renewTime);
    a.client.mode = 'hang';

    await advance(10_000);
    const [aTerm] = a.terms;
    const [bTerm] = b.terms;
    expect(aTerm!.signal.aborted).toBe(true);
    expect(aTerm!.stoppedAt! - lastRenewal).toBeLessThanOrEqual(timing.renewDeadline);
    expect(bTerm!.startedAt).toBeGreaterThan(aTerm!.stoppedAt!);
    expect(bTerm!.startedAt - lastRenewal).toBeGreaterThanOrEqual(timing.leaseDuration);
    expect(bTerm!.term).toEqual({ previousHolder: 'a' });
    expect(api.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });

    // Back, a sees b renewing and stays a candidate.
    a.client.mode = 'up';
    await advance(20_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.log).toEqual(['leader a', 'started (previous "")', 'stopped', 'leader b']);
    expect(b.log).toEqual(['leader a', 'leader b', 'started (previous "a")']);
  });

  it('stops leading at renewDeadline even while a renewal hangs, and while requests fail outright', async () => {
    for (const mode of ['hang', 'down'] as const) {
      const api = new LeaseApi();
      const a = candidate(api, 'a');
      await a.elector.start();
      await advance(2_000);
      const lastRenewal = ms(api.spec?.renewTime);
      a.client.mode = mode;
      await advance(timing.renewDeadline - 1);
      expect(a.elector.isLeader()).toBe(true);
      await advance(1);
      expect(a.elector.isLeader()).toBe(false);
      expect(a.terms[0]!.stoppedAt).toBe(lastRenewal + timing.renewDeadline);
      a.client.mode = 'up';
      await a.elector.stop();
    }
  });

  it('stop() ends the term, waits for onStoppedLeading, then releases the lease: the other candidate takes over at once', async () => {
    const api = new LeaseApi();
    let holderWhileStopping: string | null | undefined;
    const a = candidate(api, 'a', {
      onStoppedLeading: async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        holderWhileStopping = api.spec?.holderIdentity;
      },
    });
    const b = candidate(api, 'b');
    await a.elector.start();
    await b.elector.start();
    await advance(3_000);
    const signal = a.terms[0]!.signal;

    const stopped = Date.now();
    const stopping = a.elector.stop();
    expect(signal.aborted).toBe(true);
    await advance(500);
    await stopping;
    expect(holderWhileStopping).toBe('a');
    expect(api.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });

    await advance(timing.retryPeriod);
    expect(b.elector.isLeader()).toBe(true);
    expect(b.terms[0]!.startedAt - stopped).toBeLessThanOrEqual(500 + timing.retryPeriod);
    expect(b.terms[0]!.term).toEqual({ previousHolder: '' });
    expect(api.spec).toMatchObject({ holderIdentity: 'b', leaseDurationSeconds: 4, leaseTransitions: 1 });
    await a.elector.stop();
  });

  it('a leader that lost its term but whose lease nobody took gets it back with itself as previous holder', async () => {
    const api = new LeaseApi();
    const a = candidate(api, 'a');
    await a.elector.start();
    a.client.mode = 'down';
    await advance(timing.renewDeadline + 500);
    expect(a.elector.isLeader()).toBe(false);
    a.client.mode = 'up';
    await advance(2 * timing.retryPeriod);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.terms.map((t) => t.term)).toEqual([{ previousHolder: '' }, { previousHolder: 'a' }]);
    expect(api.spec).toMatchObject({ holderIdentity: 'a', acquireTime: '2030-01-01T00:00:00.000000Z', leaseTransitions: 0 });
  });

  it('waits a whole leaseDuration for a lease it finds held, however old its renewTime (its own clock counts); two candidates then race and one wins', async () => {
    const api = new LeaseApi();
    api.store(path, { metadata: { name: 'herald-source', namespace: 'herald' }, spec: { holderIdentity: 'gone', leaseDurationSeconds: 4, renewTime: '2020-01-01T00:00:00.000000Z', leaseTransitions: 7 } });
    const a = candidate(api, 'a');
    const b = candidate(api, 'b');
    await Promise.all([a.elector.start(), b.elector.start()]);
    await advance(timing.leaseDuration - 1);
    expect(api.spec?.holderIdentity).toBe('gone');
    await advance(timing.retryPeriod + 1);
    expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(api.spec).toMatchObject({ holderIdentity: a.elector.isLeader() ? 'a' : 'b', leaseTransitions: 8 });
    await advance(20_000);
    expect(a.terms.length + b.terms.length).toBe(1);
  });

  it('a lease another candidate wrote while leading ends the term at the next renewal', async () => {
    const api = new LeaseApi();
    const a = candidate(api, 'a');
    await a.elector.start();
    const lease = api.leases.get(path)!;
    api.store(path, { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder' } });
    await advance(timing.retryPeriod);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.log).toEqual(['leader a', 'started (previous "")', 'leader intruder', 'stopped']);
  });

  it('fails start when the lease may not be read, and tries no more', async () => {
    const api = new LeaseApi();
    const a = candidate(api, 'a');
    a.client.get = () => Promise.reject(new KubeApiError(403, 'leases.coordination.k8s.io "herald-source" is forbidden', { reason: 'Forbidden' }));
    await expect(a.elector.start()).rejects.toMatchObject({ status: 403 });
    await advance(10_000);
    expect(a.client.requests).toEqual([]);
    expect(a.log).toEqual([]);
  });

  it('retries in the background when the API server cannot be reached at start', async () => {
    const api = new LeaseApi();
    const a = candidate(api, 'a');
    a.client.mode = 'down';
    await a.elector.start();
    expect(a.elector.isLeader()).toBe(false);
    a.client.mode = 'up';
    await advance(timing.retryPeriod);
    expect(a.elector.isLeader()).toBe(true);
  });

  it('refuses timings where the leader could outlive its lease', () => {
    const api = new LeaseApi();
    const options = { client: api.client(), namespace: 'herald', name: 'x', onStartedLeading: () => undefined };
    expect(() => new LeaderElector({ ...options, leaseDuration: 10_000, renewDeadline: 10_000 })).toThrow(/leaseDuration > renewDeadline > retryPeriod > 0/);
    expect(() => new LeaderElector({ ...options, renewDeadline: 2_000, retryPeriod: 2_000 })).toThrow(RangeError);
    expect(new LeaderElector(options).identity).toMatch(new RegExp(`_${process.pid}_[0-9a-f]{8}$`));
  });
});
