import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus, defaultTopology, type TopologyOptions } from '@herald/core-bus';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { DeliveryResultData, NotificationData, ObjectRef } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';
import { Dedup } from './dedup.ts';
import { startStateRole } from './state-role.ts';

const logger = createLogger('dedup-test', { level: 'silent' });
const tracer = startTelemetry({ serviceName: 'dedup-test', serviceVersion: '0.0.0' }).tracer('dedup-test');
const MiB = 1024 * 1024;
const topology: TopologyOptions = {
  ...defaultTopology,
  streams: Object.fromEntries(Object.entries(defaultTopology.streams).map(([c, l]) => [c, { ...l, maxBytes: 32 * MiB }])) as TopologyOptions['streams'],
  state: { maxBytes: 16 * MiB, replicas: 1 },
};
const prefix = 'notifications.argoproj.io';
const ref = (name: string): ObjectRef => ({ group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` });
const key = (recipient: string) => `on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:${recipient}`;

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the claim protocol on a real state bucket', () => {
  let nats: NatsServer;
  let a: Bus;
  let b: Bus;

  beforeAll(async () => {
    nats = await startNats();
    // Two connections: two evaluator processes.
    a = await Bus.connect({ servers: [nats.url], name: 'dedup-a', topology }, logger);
    b = await Bus.connect({ servers: [nats.url], name: 'dedup-b', topology }, logger);
  });

  afterAll(async () => {
    await a?.drain();
    await b?.drain();
    await nats?.stop();
  });

  it('of two processes claiming the same keys at once, exactly one gets each', async () => {
    const [one, two] = [new Dedup({ kv: a.state, annotationPrefix: prefix }), new Dedup({ kv: b.state, annotationPrefix: prefix })];
    const recipients = Array.from({ length: 20 }, (_, i) => `r${i}`);
    const race = async (dedup: Dedup, process: string) => {
      const { claims } = await dedup.adopt(ref('race'), {});
      return Promise.all(recipients.map(async (r) => (await claims.claim(key(r), { rv: '10', eventId: `${process}-${r}` })).outcome));
    };
    const [x, y] = await Promise.all([race(one, 'a'), race(two, 'b')]);
    for (let i = 0; i < recipients.length; i++) expect([x[i], y[i]].sort()).toEqual(['claimed', 'held']);
  });

  it('keeps an older state of the object from claiming after a newer one released, across processes', async () => {
    const [one, two] = [new Dedup({ kv: a.state, annotationPrefix: prefix }), new Dedup({ kv: b.state, annotationPrefix: prefix })];
    const first = await (await one.adopt(ref('stale'), {})).claims.claim(key(''), { rv: '10', eventId: 'e1' });
    expect(first.outcome).toBe('claimed');
    expect(await (await two.adopt(ref('stale'), {})).claims.release(key(''), '20')).toEqual({ outcome: 'released' });
    // The server lost the acknowledgement of e1: it comes again, to the first process.
    expect(await (await one.adopt(ref('stale'), {})).claims.claim(key(''), { rv: '10', eventId: 'e1' })).toEqual({ outcome: 'stale', newer: '20' });
    expect(await one.read('uid-stale', key(''))).toBeUndefined();
  });

  it('adopts an Argo annotation once, whichever process sees the object first', async () => {
    const object = { metadata: { annotations: { [`notified.${prefix}`]: `{"${key('')}":1645078598}` } } };
    const adoptions = await Promise.all([new Dedup({ kv: a.state, annotationPrefix: prefix }).adopt(ref('argo'), object), new Dedup({ kv: b.state, annotationPrefix: prefix }).adopt(ref('argo'), object)]);
    expect(await new Dedup({ kv: a.state, annotationPrefix: prefix }).read('uid-argo', key(''))).toMatchObject({ status: 'adopted', at: 1645078598 });
    for (const { claims } of adoptions) expect((await claims.claim(key(''), { rv: '10', eventId: 'e1' })).outcome).toBe('held');
  });

  it('the state role settles claims from the results stream: sent on success, released on a final failure', async () => {
    const role = await startStateRole({ subscriber: a.subscriber(tracer, logger), kv: a.state, logger, stateChanges: (d, h) => a.stateChanges(d, logger, h), kube: undefined, annotationPrefix: prefix, coalesceMs: 0 });
    try {
      const dedup = new Dedup({ kv: b.state, annotationPrefix: prefix });
      const { claims } = await dedup.adopt(ref('settled'), {});
      const claimOf = async (recipient: string) => {
        const c = await claims.claim(key(recipient), { rv: '10', eventId: `e-${recipient}` });
        if (c.outcome !== 'claimed') throw new Error(c.outcome);
        return c.revision;
      };
      const result = (recipient: string, claimRevision: number, succeeded: boolean): DeliveryResultData => ({
        idempotencyKey: `k-${recipient}`,
        claimRevision,
        stateKey: key(recipient),
        trigger: 'on-pod-ready',
        destination: { serviceType: 'webhook', service: 'webhook', recipient },
        ref: ref('settled'),
        succeeded,
        attempts: 1,
      });
      const publisher = b.publisher('herald/test', tracer);
      await publisher.deliveryResult(result('ok', await claimOf('ok'), true));
      await publisher.deliveryResult(result('failed', await claimOf('failed'), false));
      expect(await until(async () => (await dedup.read('uid-settled', key('ok')))?.status === 'sent' || undefined, 'the claim sent')).toBe(true);
      expect(await until(async () => ((await dedup.read('uid-settled', key('failed'))) ? undefined : true), 'the claim released')).toBe(true);
      // Released, the condition's next edge (a new event: the object's claims read again) claims again.
      const next = (await dedup.adopt(ref('settled'), {})).claims;
      expect((await next.claim(key('failed'), { rv: '30', eventId: 'e-again' })).outcome).toBe('claimed');
      // A result carrying its claim's time and state settles from them, through the bus, without reading the
      // claim: the sent claim records what the result says (here a time unlike the claim's, to tell).
      await publisher.deliveryResult({ ...result('carried', await claimOf('carried'), true), claim: { at: 12_345, rv: '10' } });
      expect(await until(async () => (await dedup.read('uid-settled', key('carried')))?.status === 'sent' || undefined, 'the carried claim sent')).toBe(true);
      expect(await dedup.read('uid-settled', key('carried'))).toMatchObject({ status: 'sent', at: 12_345, rv: '10' });
    } finally {
      await role.stop();
    }
  });

  it('retakes the claim of a dead-lettered notification once, even when two retries race', async () => {
    const dedup = new Dedup({ kv: a.state, annotationPrefix: prefix });
    const { claims } = await dedup.adopt(ref('retry'), {});
    const failed = await claims.claim(key(''), { rv: '10', eventId: 'e1' });
    if (failed.outcome !== 'claimed') throw new Error(failed.outcome);
    const n = { ref: ref('retry'), stateKey: key(''), claimRevision: failed.revision } as NotificationData;
    const [x, y] = await Promise.all([
      dedup.retakeForRetry(n, { stream: 'HERALD_DEAD_LETTERS', id: 1 }, 120_000),
      new Dedup({ kv: b.state, annotationPrefix: prefix }).retakeForRetry(n, { stream: 'HERALD_DEAD_LETTERS', id: 2 }, 120_000),
    ]);
    expect([x.outcome, y.outcome].sort()).toEqual(['claimed', 'skip']);
    expect(await dedup.read('uid-retry', key(''))).toMatchObject({ status: 'pending', event: expect.stringMatching(/^dlq-retry:HERALD_DEAD_LETTERS:[12]$/) });
  });
});
