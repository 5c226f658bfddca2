import { describe, expect, it } from 'vitest';
import type { DeliveryPolicy } from './delivery-policy.ts';
import { DestinationLimiter, MAX_ASIDE_MS, MAX_TOKEN_WAIT_MS, type Admission, type Permit } from './destination-limiter.ts';
import type { Reservation } from './shared-pace.ts';
import { WaitingRoom } from './waiting-room.ts';

function policy(overrides: Partial<DeliveryPolicy> = {}): DeliveryPolicy {
  return {
    maxDeliver: 5,
    maxAckPending: 1_000,
    backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 'equal' },
    rateLimit: undefined,
    perDestination: 100,
    circuitBreaker: undefined,
    ...overrides,
  };
}

function setup(p: DeliveryPolicy, room = new WaitingRoom(100)) {
  const clock = { now: 0 };
  const limiter = new DestinationLimiter(p, { clock: { now: () => new Date(clock.now) }, room });
  return { clock, limiter, room };
}

function waiting(admission: Admission): Extract<Admission, { kind: 'wait' }> {
  if (admission.kind !== 'wait') throw new Error(`expected a wait, got ${JSON.stringify(admission)}`);
  return admission;
}

/** What each settled waiter was admitted with, in the order they were admitted. */
function track(waits: Extract<Admission, { kind: 'wait' }>[]) {
  const admitted: [number, Admission][] = [];
  waits.forEach((w, i) => void w.ready.then((a) => admitted.push([i, a])));
  return admitted;
}

function sent(admission: Admission): Permit {
  if (admission.kind !== 'send') throw new Error(`expected a send, got ${JSON.stringify(admission)}`);
  return admission.permit;
}

describe('destination limiter', () => {
  it('with no seat to wait in, sends a destination’s burst at once, waits for a token due within maxWait, and steps the rest aside', () => {
    const { limiter } = setup(policy({ rateLimit: { perSecond: 10, burst: 2, maxWaitMs: 100, scope: 'process' } }), new WaitingRoom(0));
    const admissions = Array.from({ length: 6 }, () => limiter.admit('chat'));
    expect(admissions.map((a) => (a.kind === 'send' ? ['send', a.waitMs] : a.kind === 'aside' ? [a.reason, a.delayMs] : [a.kind]))).toEqual([
      ['send', 0],
      ['send', 0],
      ['send', 100],
      // The next token is due in 200 ms, beyond maxWait: back to the bus, each with its own turn 100 ms apart.
      ['rate limited', 200],
      ['rate limited', 300],
      ['rate limited', 400],
    ]);
  });

  it('gives stepped-aside notifications their turns: coming back then, each finds its token', () => {
    const { clock, limiter } = setup(policy({ rateLimit: { perSecond: 5, burst: 1, maxWaitMs: 0, scope: 'process' } }), new WaitingRoom(0));
    sent(limiter.admit('chat')).done({ kind: 'success' });
    const turns = Array.from({ length: 4 }, () => {
      const a = limiter.admit('chat');
      return a.kind === 'aside' ? a.delayMs : -1;
    });
    expect(turns).toEqual([200, 400, 600, 800]);
    for (const turn of turns) {
      clock.now = turn;
      sent(limiter.admit('chat')).done({ kind: 'success' });
    }
  });

  it('keeps at most perDestination sends in flight per destination, and other destinations unaffected', () => {
    const { limiter } = setup(policy({ perDestination: 2 }), new WaitingRoom(0));
    const slow = [sent(limiter.admit('slow')), sent(limiter.admit('slow'))];
    const third = limiter.admit('slow');
    expect(third).toMatchObject({ kind: 'aside', reason: 'busy' });
    for (let i = 0; i < 50; i++) sent(limiter.admit(`ok-${i % 5}`)).done({ kind: 'success' });
    slow[0]!.done({ kind: 'success' });
    slow[0]!.done({ kind: 'success' }); // idempotent: frees one slot only
    sent(limiter.admit('slow'));
    expect(limiter.admit('slow')).toMatchObject({ kind: 'aside', reason: 'busy' });
  });

  it('lets a notification for a busy destination wait in the process and hands it the next free slot, first come first served', async () => {
    const { limiter, room } = setup(policy({ perDestination: 2 }));
    const slow = [sent(limiter.admit('slow')), sent(limiter.admit('slow'))];
    const waits = [waiting(limiter.admit('slow')), waiting(limiter.admit('slow'))];
    const admitted = track(waits);
    expect(room.seated).toBe(2);
    // Another destination is not held up by them.
    sent(limiter.admit('other')).done({ kind: 'success' });

    slow[1]!.done({ kind: 'success' });
    await Promise.resolve();
    expect(admitted.map(([i, a]) => [i, a.kind])).toEqual([[0, 'send']]);
    // The slot went to the one waiting, not to a newcomer: it waits behind the second.
    const newcomer = waiting(limiter.admit('slow'));
    slow[0]!.done({ kind: 'success' });
    await Promise.resolve();
    expect(admitted.map(([i, a]) => [i, a.kind])).toEqual([[0, 'send'], [1, 'send']]);
    expect(await Promise.race([newcomer.ready.then(() => 'admitted'), Promise.resolve('still waiting')])).toBe('still waiting');
    expect(room.seated).toBe(1);
  });

  it('bounds the waiting: a quarter of maxAckPending per destination, and the room’s seats in the process; the rest step aside', () => {
    const room = new WaitingRoom(3);
    const { limiter } = setup(policy({ perDestination: 2, maxAckPending: 8 }), room);
    for (const key of ['a', 'a', 'b', 'b']) sent(limiter.admit(key));
    expect(['a', 'a', 'a'].map((key) => limiter.admit(key).kind)).toEqual(['wait', 'wait', 'aside']);
    expect(['b', 'b'].map((key) => limiter.admit(key).kind)).toEqual(['wait', 'aside']);
    expect(room.seated).toBe(3);
  });

  it('gives a waiter’s place up when it is cancelled; one already handed a slot is not cancelled', async () => {
    const { limiter, room } = setup(policy({ perDestination: 2 }));
    const [first] = [sent(limiter.admit('slow')), sent(limiter.admit('slow'))];
    const [a, b] = [waiting(limiter.admit('slow')), waiting(limiter.admit('slow'))];
    expect(a.cancel()).toBe(true);
    expect(room.seated).toBe(1);
    first!.done({ kind: 'success' });
    expect(b.cancel()).toBe(false);
    const admitted = await b.ready;
    sent(admitted).done({ kind: 'called off' });
    expect(room.seated).toBe(0);
    expect(limiter.admit('slow').kind).toBe('send');
  });

  it('tells the waiters the breaker opened while they waited: each fails at once, as on coming back through the bus', async () => {
    const { limiter } = setup(policy({ perDestination: 2, circuitBreaker: { failures: 1, coolDownMs: 5_000, maxCoolDownMs: 5_000 } }));
    const sends = [sent(limiter.admit('dead')), sent(limiter.admit('dead'))];
    const waits = [waiting(limiter.admit('dead')), waiting(limiter.admit('dead'))];
    sends[0]!.done({ kind: 'failure', error: 'timeout' });
    // The breaker is open: the slot that freed is not used, every waiter is told.
    expect(await Promise.all(waits.map((w) => w.ready))).toEqual([
      { kind: 'open', retryInMs: 5_000, failures: 1, lastError: 'timeout' },
      { kind: 'open', retryInMs: 5_000, failures: 1, lastError: 'timeout' },
    ]);
  });

  it('while a destination is failing, one waits behind its single send and the next steps aside', async () => {
    const { limiter } = setup(policy({ perDestination: 4, circuitBreaker: { failures: 5, coolDownMs: 1_000, maxCoolDownMs: 1_000 } }));
    sent(limiter.admit('flaky')).done({ kind: 'failure', error: '503' });
    const trial = sent(limiter.admit('flaky'));
    const next = waiting(limiter.admit('flaky'));
    expect(limiter.admit('flaky')).toMatchObject({ kind: 'aside', reason: 'busy' });
    trial.done({ kind: 'success' });
    expect((await next.ready).kind).toBe('send');
  });

  it('waits in the process for a token due within MAX_TOKEN_WAIT_MS while the room has a seat; later ones step aside', () => {
    const room = new WaitingRoom(2);
    const { limiter } = setup(policy({ rateLimit: { perSecond: 1, burst: 1, maxWaitMs: 0, scope: 'process' } }), room);
    const waits = Array.from({ length: 4 }, () => limiter.admit('chat')).map((a) => (a.kind === 'send' ? ['send', a.waitMs] : [a.kind]));
    expect(waits).toEqual([['send', 0], ['send', 1_000], ['send', 2_000], ['aside']]);
    expect(room.seated).toBe(2);
    const { limiter: roomy } = setup(policy({ rateLimit: { perSecond: 1, burst: 1, maxWaitMs: 0, scope: 'process' } }));
    const spans = Array.from({ length: 13 }, () => roomy.admit('chat')).map((a) => (a.kind === 'send' ? a.waitMs : a.kind));
    expect(spans.filter((w) => typeof w === 'number').at(-1)).toBeLessThanOrEqual(MAX_TOKEN_WAIT_MS);
    expect(spans.at(-1)).toBe('aside');
  });

  it('with a breaker, sends one at a time to a destination whose last send failed, until one succeeds', () => {
    const { limiter } = setup(policy({ perDestination: 4, circuitBreaker: { failures: 5, coolDownMs: 1_000, maxCoolDownMs: 1_000 } }), new WaitingRoom(0));
    const first = [sent(limiter.admit('flaky')), sent(limiter.admit('flaky'))];
    first[0]!.done({ kind: 'failure', error: '503' });
    // One still in flight: no second one while the destination is failing.
    expect(limiter.admit('flaky')).toMatchObject({ kind: 'aside', reason: 'busy' });
    first[1]!.done({ kind: 'success' });
    const again = [sent(limiter.admit('flaky')), sent(limiter.admit('flaky'))];
    expect(again).toHaveLength(2);
  });

  it('spaces busy step-asides by the time a send takes, longer while a send hangs', () => {
    const { clock, limiter } = setup(policy({ perDestination: 1 }), new WaitingRoom(0));
    sent(limiter.admit('dead'));
    clock.now = 10_000;
    const first = limiter.admit('dead');
    const second = limiter.admit('dead');
    // The send in flight has run 10 s: a slot is not expected sooner.
    expect(first).toEqual({ kind: 'aside', reason: 'busy', delayMs: 10_000 });
    expect(second).toEqual({ kind: 'aside', reason: 'busy', delayMs: 20_000 });
  });

  it('never hands a notification back for longer than the cap, and such a one takes no turn', () => {
    const { limiter } = setup(policy({ rateLimit: { perSecond: 0.01, burst: 1, maxWaitMs: 0, scope: 'process' } }));
    sent(limiter.admit('slow-channel'));
    expect(limiter.admit('slow-channel')).toMatchObject({ kind: 'aside', delayMs: MAX_ASIDE_MS });
    expect(limiter.admit('slow-channel')).toMatchObject({ kind: 'aside', delayMs: MAX_ASIDE_MS });
  });

  it('opens a destination’s breaker after consecutive failures: its notifications fail at once, others still go', () => {
    const { clock, limiter } = setup(policy({ circuitBreaker: { failures: 3, coolDownMs: 5_000, maxCoolDownMs: 5_000 } }));
    for (let i = 0; i < 3; i++) sent(limiter.admit('dead')).done({ kind: 'failure', error: `timeout ${i}` });
    expect(limiter.admit('dead')).toEqual({ kind: 'open', retryInMs: 5_000, failures: 3, lastError: 'timeout 2' });
    sent(limiter.admit('ok')).done({ kind: 'success' });

    clock.now = 5_000;
    const probe = sent(limiter.admit('dead'));
    // Until the trial has told, the breaker stays open for the others.
    expect(limiter.admit('dead')).toMatchObject({ kind: 'open', failures: 3 });
    probe.done({ kind: 'success' });
    sent(limiter.admit('dead'));
  });

  it('tells the breaker state of each destination it remembers', () => {
    const { clock, limiter } = setup(policy({ circuitBreaker: { failures: 1, coolDownMs: 5_000, maxCoolDownMs: 5_000 } }));
    sent(limiter.admit('dead')).done({ kind: 'failure', error: 'timeout' });
    sent(limiter.admit('ok')).done({ kind: 'success' });
    expect(new Map(limiter.breakerStates())).toEqual(new Map([['dead', 'open'], ['ok', 'closed']]));
    clock.now = 5_000;
    expect(new Map(limiter.breakerStates()).get('dead')).toBe('half-open');
  });

  it('does not count refusals or Retry-After answers toward the breaker', () => {
    const { limiter } = setup(policy({ circuitBreaker: { failures: 1, coolDownMs: 5_000, maxCoolDownMs: 5_000 } }));
    sent(limiter.admit('a')).done({ kind: 'neutral' });
    sent(limiter.admit('a')).done({ kind: 'throttled', retryAfterMs: 0 });
    expect(limiter.admit('a').kind).toBe('send');
  });

  it('pauses a destination that answered with Retry-After: the others of it step aside until then', () => {
    const { clock, limiter } = setup(policy());
    sent(limiter.admit('chat')).done({ kind: 'throttled', retryAfterMs: 3_000 });
    expect(limiter.admit('chat')).toMatchObject({ kind: 'aside', reason: 'throttled', delayMs: 3_000 });
    expect(limiter.admit('other').kind).toBe('send');
    clock.now = 3_000;
    expect(limiter.admit('chat').kind).toBe('send');
  });

  it('gives the token back when a send is called off', () => {
    const { limiter } = setup(policy({ rateLimit: { perSecond: 1, burst: 1, maxWaitMs: 0, scope: 'process' } }));
    sent(limiter.admit('chat')).done({ kind: 'called off' });
    expect(limiter.admit('chat').kind).toBe('send');
  });

  it('forgets idle destinations, so memory follows the destinations in use', () => {
    const { clock, limiter } = setup(policy({ rateLimit: { perSecond: 10, burst: 5, maxWaitMs: 0, scope: 'process' }, circuitBreaker: { failures: 2, coolDownMs: 1_000, maxCoolDownMs: 1_000 } }));
    for (let i = 0; i < 1_000; i++) sent(limiter.admit(`recipient-${i}`)).done({ kind: 'success' });
    const hanging = sent(limiter.admit('hanging'));
    sent(limiter.admit('flaky')).done({ kind: 'failure', error: 'e' });
    expect(limiter.size).toBe(1_002);

    clock.now = 60_000;
    sent(limiter.admit('recipient-0')).done({ kind: 'success' }); // admissions sweep once a minute
    // Kept: one with a send in flight, one whose breaker has counted a failure, and the one just used.
    expect(limiter.size).toBe(3);
    hanging.done({ kind: 'success' });
    clock.now = 60_000 + 11 * 60_000;
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });
});

describe('destination limiter with a shared pace', () => {
  const shared = (turn: Reservation) => {
    const asked: number[] = [];
    return { asked, reserve: async (maxWaitMs: number) => (asked.push(maxWaitMs), turn) };
  };
  const send = (a: Admission) => (a.kind === 'send' ? a : expect.unreachable(`expected a send, got ${JSON.stringify(a)}`));

  it('waits for the later of its own token and the shared turn', async () => {
    const { limiter } = setup(policy({ rateLimit: { perSecond: 10, burst: 1, maxWaitMs: 100, scope: 'cluster' } }), new WaitingRoom(0));
    const { asked, reserve } = shared({ kind: 'send', waitMs: 80 });
    const first = await limiter.paced('chat', send(limiter.admit('chat')), reserve);
    expect(first).toMatchObject({ kind: 'send', waitMs: 80 });
    // No seat in the room: no longer than maxWait.
    expect(asked).toEqual([100]);
  });

  it('hands the token and the slot back when the shared turn is further away, and steps aside until then', async () => {
    const { limiter } = setup(policy({ rateLimit: { perSecond: 10, burst: 1, maxWaitMs: 100, scope: 'cluster' }, perDestination: 1 }), new WaitingRoom(0));
    const later = await limiter.paced('chat', send(limiter.admit('chat')), shared({ kind: 'later', waitMs: 700 }).reserve);
    expect(later).toEqual({ kind: 'aside', reason: 'rate limited', delayMs: 700 });
    // The slot (perDestination 1) and the token were given back: the next one is admitted at once.
    expect(limiter.admit('chat')).toMatchObject({ kind: 'send', waitMs: 0 });
  });

  it('with a seat in the waiting room, waits up to MAX_TOKEN_WAIT_MS for the shared turn and keeps the seat until the send ends', async () => {
    const room = new WaitingRoom(1);
    const { limiter } = setup(policy({ rateLimit: { perSecond: 10, burst: 1, maxWaitMs: 100, scope: 'cluster' } }), room);
    const { asked, reserve } = shared({ kind: 'send', waitMs: 3_000 });
    const paced = send(await limiter.paced('chat', send(limiter.admit('chat')), reserve));
    expect(asked).toEqual([MAX_TOKEN_WAIT_MS]);
    expect(paced.waitMs).toBe(3_000);
    expect(room.enter()).toBe(false);
    paced.permit.done({ kind: 'success' });
    expect(room.enter()).toBe(true);
  });

  it('leaves the process’s own limits to decide when the shared pace cannot be used', async () => {
    const { limiter } = setup(policy({ rateLimit: { perSecond: 10, burst: 1, maxWaitMs: 100, scope: 'cluster' } }), new WaitingRoom(0));
    const own = send(limiter.admit('chat'));
    expect(await limiter.paced('chat', own, shared({ kind: 'unshared' }).reserve)).toBe(own);
  });
});
