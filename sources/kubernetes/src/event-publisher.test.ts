import { afterEach, describe, expect, it } from 'vitest';
import { HeraldError, type BusPublisher, type DeadLetterReason, type Logger, type PluginStore, type PublishOptions, type ResourceEventData } from '@herald/plugin-sdk';
import { memoryResyncRequests, memoryStore, type MemoryResyncRequests } from '@herald/plugin-testing';
import type { KubeClient, KubeObject } from '@herald/core-kube';
import { SourceCheckpoint } from './checkpoint.ts';
import { configSchema } from './kubernetes-source.config.ts';
import { MAX_OBJECT_DEPTH, objectDepth } from './object-depth.ts';
import { ObjectChanges } from './object-changes.ts';
import { LAST_APPLIED, tombstone } from './object-reductions.ts';
import { PublishGate } from './publish-gate.ts';
import type { SourceMetrics } from './source-metrics.ts';
import { WatchSet } from './watch-set.ts';

const gvr = { group: 'example.com', version: 'v1', resource: 'widgets' };
const widgets = { ...gvr, kind: 'Widget' };
const defaultConfig = configSchema.parse({ resources: [widgets], backoff: { initial: '1ms', max: '1ms' } });

/** A Widget nested `depth` levels below spec, parsed from JSON text as the client parses a watch line (JSON.parse does not recurse). */
function deepWidget(name: string, uid: string, resourceVersion: string, depth: number): KubeObject {
  const spec = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  return JSON.parse(`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"namespace":"ns","name":"${name}","uid":"${uid}","resourceVersion":"${resourceVersion}"},"spec":${spec}}`) as KubeObject;
}
const widget = (name: string, uid: string, resourceVersion: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { namespace: 'ns', name, uid, resourceVersion },
  spec: { size: 1 },
  ...extra,
});

/**
 * Stands in for the bus: encodes each message as JSON, as the bus does before sending (so an object JSON
 * cannot encode fails here as it does there), and refuses for good a message over `maxBytes`, as a stream
 * refuses one over its max_msg_size.
 */
class BusStandIn implements BusPublisher {
  readonly events: ResourceEventData[] = [];
  /** The options each event was published with. */
  readonly options: (PublishOptions | undefined)[] = [];
  readonly letters: { data: ResourceEventData; why: DeadLetterReason }[] = [];
  readonly maxBytes: number;
  #waiters: (() => void)[] = [];

  constructor(maxBytes = Number.POSITIVE_INFINITY) {
    this.maxBytes = maxBytes;
  }

  async resourceEvent(data: ResourceEventData, options?: PublishOptions) {
    const bytes = Buffer.byteLength(JSON.stringify(data));
    if (bytes > this.maxBytes) throw new HeraldError('HERALD_ERR_BUS_PUBLISH_REJECTED', `${data.ref.uid} is ${bytes} bytes, more than the ${this.maxBytes} bytes EVENTS takes`);
    this.events.push(data);
    this.options.push(options);
    this.#wake();
    return { id: `${data.ref.uid}:${data.resourceVersion}:${data.action}`, stream: 'EVENTS', seq: this.events.length, duplicate: false };
  }

  async deadLetter(_channel: string, data: unknown, why: DeadLetterReason) {
    JSON.stringify(data);
    this.letters.push({ data: data as ResourceEventData, why });
    this.#wake();
    return { id: `dlq:${(data as ResourceEventData).ref.uid}`, stream: 'DEAD_LETTERS', seq: this.letters.length, duplicate: false };
  }

  notification(): never {
    throw new Error('a source publishes no notifications');
  }

  deliveryResult(): never {
    throw new Error('a source publishes no results');
  }

  /** Resolves once `condition` holds, checked after each message the bus takes. */
  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

/**
 * An API server with one list and one watch: the watch's events, then open until the informer stops. Lists after
 * the first answer `relisted`, watches after the first stay open without an event.
 */
function apiServer(listed: KubeObject[], watched: { type: string; object: KubeObject }[], relisted = listed): KubeClient {
  let lists = 0;
  let watches = 0;
  const hang = (signal: AbortSignal) =>
    new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason as Error);
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  return {
    server: 'https://kube.test',
    // Each list a newer resourceVersion: 10, 20, 30…
    get: async <T>() => ({ apiVersion: 'example.com/v1', kind: 'WidgetList', metadata: { resourceVersion: String(10 * (lists + 1)) }, items: lists++ === 0 ? listed : relisted }) as T,
    async *stream(_path, _query, signal) {
      if (watches++ === 0) yield* watched;
      await hang(signal);
    },
    patch: () => Promise.reject(new Error('no patch')),
    create: () => Promise.reject(new Error('no create')),
    replace: () => Promise.reject(new Error('no replace')),
  };
}

function counters() {
  const counts: Record<string, { value: number; attributes: Record<string, unknown> }[]> = {};
  const counter = (name: string) => ({ add: (value: number, attributes: Record<string, unknown> = {}) => void (counts[name] ??= []).push({ value, attributes }) });
  const metrics = Object.fromEntries(['published', 'refused', 'reduced', 'deadLettered', 'relists', 'watchErrors', 'publishRetries', 'unchanged', 'watchRestarts', 'resyncs'].map((n) => [n, counter(n)])) as unknown as SourceMetrics;
  return { metrics, counts };
}

function logs() {
  const lines: { level: string; msg: string }[] = [];
  const logger: Logger = {
    trace() {},
    debug() {},
    info() {},
    warn: (_obj: object, msg?: string) => void lines.push({ level: 'warn', msg: msg ?? '' }),
    error: (_obj: object, msg?: string) => void lines.push({ level: 'error', msg: msg ?? '' }),
    child: () => logger,
  };
  return { logger, lines };
}

const running: WatchSet[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

interface WatchOptions {
  config?: typeof defaultConfig;
  requests?: MemoryResyncRequests;
  store?: PluginStore;
}

async function watch(client: KubeClient, bus: BusStandIn, { config = defaultConfig, requests = memoryResyncRequests(), store }: WatchOptions = {}) {
  const { metrics, counts } = counters();
  const { logger, lines } = logs();
  const gate = new PublishGate();
  gate.open();
  const checkpoint = store ? () => new SourceCheckpoint(store, 'test', new ObjectChanges(config.ignoredAnnotations), logger) : undefined;
  const set = new WatchSet([{ index: 0, resource: config.resources[0]!, namespace: 'ns' }], { client, config, publisher: bus, logger, metrics, gate, requests, resyncSettleMs: 1, ...(checkpoint ? { checkpoint } : {}) });
  running.push(set);
  await set.start();
  return { counts, lines, set };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const summary = (e: ResourceEventData) => `${e.action} ${e.ref.name}@${e.resourceVersion}${e.resync === undefined ? '' : ` resync ${e.resync}`}`;

describe('hostile objects', () => {
  it('break 2: a 6,000-deep custom object is dead-lettered and the watch moves on', async () => {
    const bus = new BusStandIn();
    const client = apiServer(
      [deepWidget('deep', 'u-deep', '11', 6_000), widget('plain', 'u-plain', '12')],
      [
        { type: 'MODIFIED', object: widget('plain', 'u-plain', '13', { spec: { size: 2 } }) },
        { type: 'DELETED', object: deepWidget('deep', 'u-deep', '14', 6_000) },
        { type: 'ADDED', object: widget('after', 'u-after', '15') },
      ],
    );
    const { counts, lines } = await watch(client, bus);
    await bus.until(() => bus.events.some((e) => e.ref.name === 'after'));

    // Later events of the same resource are published; the deletion comes as a tombstone, without the body.
    expect(bus.events.map(summary)).toEqual(['ADDED plain@12', 'MODIFIED plain@13', 'DELETED deep@14', 'ADDED after@15']);
    expect(bus.events[2]!.object).toEqual({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { namespace: 'ns', name: 'deep', uid: 'u-deep', resourceVersion: '14' } });
    expect(bus.letters).toHaveLength(1);
    expect(bus.letters[0]!.why).toEqual({
      code: 'HERALD_ERR_KUBE_OBJECT_TOO_DEEP',
      reason: `widgets.v1.example.com ns/deep (uid u-deep, resourceVersion 11) is nested 6001 levels deep, more than the ${MAX_OBJECT_DEPTH} Herald accepts`,
    });
    expect(summary(bus.letters[0]!.data)).toBe('ADDED deep@11');
    expect(bus.letters[0]!.data.object).toEqual(tombstone(deepWidget('deep', 'u-deep', '11', 1)));
    expect(counts.deadLettered).toEqual([{ value: 1, attributes: { ...gvr, action: 'ADDED', reason: 'depth' } }]);
    expect(counts.publishRetries).toBeUndefined();
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toContain(`ADDED not published, dead-lettered: ${bus.letters[0]!.why.reason}`);
  });

  it(`break 2: an object ${MAX_OBJECT_DEPTH} levels deep is still published whole`, async () => {
    const bus = new BusStandIn();
    const limit = deepWidget('limit', 'u-limit', '11', MAX_OBJECT_DEPTH - 1);
    expect(objectDepth(limit)).toBe(MAX_OBJECT_DEPTH);
    await watch(apiServer([limit], []), bus);
    await bus.until(() => bus.events.length === 1);
    expect(bus.events[0]!.object).toEqual(limit);
    expect(bus.letters).toEqual([]);
    // When the source saw it: delivery latency is measured from here.
    expect(Date.now() - Date.parse(bus.events[0]!.observedAt!)).toBeGreaterThanOrEqual(0);
  });

  it('break 8: an object over the max payload is published without last-applied-configuration, or dead-lettered with size and limit', async () => {
    const bus = new BusStandIn(20_000);
    const annotations = { [LAST_APPLIED]: JSON.stringify({ spec: { blob: 'x'.repeat(20_000) } }), team: 'a' };
    const client = apiServer(
      [
        widget('applied', 'u-applied', '11', { metadata: { namespace: 'ns', name: 'applied', uid: 'u-applied', resourceVersion: '11', annotations } }),
        widget('huge', 'u-huge', '12', { spec: { blob: 'x'.repeat(30_000) } }),
        widget('plain', 'u-plain', '13'),
      ],
      [{ type: 'DELETED', object: widget('huge', 'u-huge', '14', { spec: { blob: 'x'.repeat(30_000) } }) }],
    );
    const { counts } = await watch(client, bus);
    await bus.until(() => bus.events.some((e) => e.action === 'DELETED'));

    // Objects are published side by side: a retried one may come after the next object's.
    expect(bus.events.map(summary).sort()).toEqual(['ADDED applied@11', 'ADDED plain@13', 'DELETED huge@14']);
    const applied = bus.events.find((e) => e.ref.name === 'applied')!;
    // Only the annotation went: what triggers read (other annotations, spec) is there.
    expect(applied.object.metadata).toEqual({ namespace: 'ns', name: 'applied', uid: 'u-applied', resourceVersion: '11', annotations: { team: 'a' } });
    expect(applied.object.spec).toEqual({ size: 1 });
    expect(bus.events.find((e) => e.action === 'DELETED')!.object).toEqual(tombstone(widget('huge', 'u-huge', '14')));
    expect(bus.letters.map((l) => l.why)).toEqual([
      {
        code: 'HERALD_ERR_KUBE_OBJECT_REFUSED',
        reason: expect.stringMatching(/^the bus refused ADDED of widgets\.v1\.example\.com ns\/huge \(uid u-huge, resourceVersion 12\): u-huge is 30\d{3} bytes, more than the 20000 bytes EVENTS takes$/),
      },
    ]);
    expect(counts.reduced?.map((c) => c.attributes.reduction)).toEqual(['last-applied-configuration', 'tombstone']);
    expect(counts.deadLettered).toEqual([{ value: 1, attributes: { ...gvr, action: 'ADDED', reason: 'refused' } }]);
  });

  it('break 8: the reason says when even the object without last-applied-configuration was too large', async () => {
    const bus = new BusStandIn(20_000);
    const metadata = { namespace: 'ns', name: 'both', uid: 'u-both', resourceVersion: '11', annotations: { [LAST_APPLIED]: '{}' } };
    await watch(apiServer([widget('both', 'u-both', '11', { metadata, spec: { blob: 'x'.repeat(30_000) } })], []), bus);
    await bus.until(() => bus.letters.length === 1);
    expect(bus.letters[0]!.why.reason).toMatch(/^the bus refused ADDED of widgets\.v1\.example\.com ns\/both \(uid u-both, resourceVersion 11\) \(even without its kubectl\.kubernetes\.io\/last-applied-configuration annotation\): u-both is/);
    expect(bus.events).toEqual([]);
  });
});

describe('objectDepth', () => {
  it.each([
    ['a scalar', 'x', 0],
    ['an empty object', {}, 1],
    ['an object of scalars', { a: 1, b: 'x', c: null }, 1],
    ['arrays count as levels', { a: [{ b: [1] }] }, 4],
    ['the deepest branch counts', { a: { b: {} }, c: {} }, 3],
  ])('%s', (_, value, depth) => {
    expect(objectDepth(value)).toBe(depth);
  });
});

describe('what the source keeps of each object', () => {
  it('publishes no MODIFIED that only adds the notified annotation, and a DELETED a relist finds as the tombstone of the object', async () => {
    const bus = new BusStandIn();
    const labelled = (resourceVersion: string, annotations: Record<string, string> = {}) =>
      widget('w', 'u-w', resourceVersion, { metadata: { namespace: 'ns', name: 'w', uid: 'u-w', resourceVersion, labels: { app: 'shop' }, annotations: { team: 'a', ...annotations } } });
    const gone = { kind: 'Status', status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 } as KubeObject;
    const client = apiServer(
      [labelled('11')],
      [
        { type: 'MODIFIED', object: labelled('12', { 'notified.notifications.argoproj.io': '{"x":1}' }) },
        { type: 'MODIFIED', object: labelled('13', { 'notified.notifications.argoproj.io': '{"x":1}', team: 'b' }) },
        { type: 'ERROR', object: gone },
      ],
      [],
    );
    const { counts } = await watch(client, bus);
    await bus.until(() => bus.events.length === 3);

    expect(bus.events.map(summary)).toEqual(['ADDED w@11', 'MODIFIED w@13', 'DELETED w@13']);
    expect(counts.unchanged).toEqual([{ value: 1, attributes: gvr }]);
    // The informer kept which object it was, not its labels, annotations or spec.
    expect(bus.events[2]!.object).toEqual(tombstone(labelled('13')));
    expect(bus.events[2]!.object).toEqual({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { namespace: 'ns', name: 'w', uid: 'u-w', resourceVersion: '13' } });
    // Each read from this process's list or watch: an evaluator may take the annotations they carry as current.
    expect(bus.options).toEqual([{ readSinceStart: true }, { readSinceStart: true }, { readSinceStart: true }]);
  });

  it('with resyncPeriod, publishes every object again each period, an unchanged one marked with the resync, a notified-only change too', async () => {
    const bus = new BusStandIn();
    const notified = (resourceVersion: string) => widget('w', 'u-w', resourceVersion, { metadata: { namespace: 'ns', name: 'w', uid: 'u-w', resourceVersion, annotations: { 'notified.notifications.argoproj.io': '{"x":1}' } } });
    const client = apiServer([widget('w', 'u-w', '11'), widget('v', 'u-v', '5')], [{ type: 'MODIFIED', object: notified('12') }], [notified('12'), widget('v', 'u-v', '5')]);
    // The schema takes whole seconds; the wiring takes what it is given.
    const { counts } = await watch(client, bus, { config: { ...defaultConfig, resyncPeriod: 20 } });
    await bus.until(() => bus.events.length >= 6);

    expect(bus.events.slice(0, 6).map(summary)).toEqual(['ADDED w@11', 'ADDED v@5', 'MODIFIED w@12 resync 20', 'MODIFIED v@5 resync 20', 'MODIFIED w@12 resync 30', 'MODIFIED v@5 resync 30']);
    // The notified-only MODIFIED itself was not published; the resync publishes the object as it now is, whole.
    expect(counts.unchanged).toEqual([{ value: 1, attributes: gvr }]);
    expect(bus.events[2]!.object).toEqual(notified('12'));
    expect(counts.resyncs?.length).toBeGreaterThanOrEqual(2);
  });
  it('publishes every object again when Herald asks for a resync (the notification config changed), and not for a request that asks for none', async () => {
    const bus = new BusStandIn();
    const requests = memoryResyncRequests();
    const client = apiServer([widget('w', 'u-w', '11'), widget('v', 'u-v', '5')], [], [widget('w', 'u-w', '11'), widget('v', 'u-v', '5')]);
    const { counts } = await watch(client, bus, { requests });
    await bus.until(() => bus.events.length >= 2);
    requests.request('the first notification config', { resync: false });
    requests.request('trigger.on-ready added');
    await bus.until(() => bus.events.length >= 4);
    expect(bus.events.map(summary)).toEqual(['ADDED w@11', 'ADDED v@5', 'MODIFIED w@11 resync 20', 'MODIFIED v@5 resync 20']);
    expect(counts.resyncs).toHaveLength(1);
  });

  it('with a checkpoint, a stop saves the request it served; a start after a newer request publishes every object, after the same one only what changed', async () => {
    const store = memoryStore();
    const requests = memoryResyncRequests();
    requests.request('the first notification config', { resync: false });
    const objects = [widget('w', 'u-w', '11'), widget('v', 'u-v', '5')];
    const first = await watch(apiServer(objects, []), new BusStandIn(), { requests, store });
    await first.set.stop();

    // The same request as at the save: nothing changed, nothing published.
    const unchanged = new BusStandIn();
    const second = await watch(apiServer(objects, []), unchanged, { requests, store });
    await second.set.stop();
    expect(unchanged.events).toEqual([]);

    // The config changed while no source ran: every object is published again.
    requests.request('trigger.on-ready added');
    const after = new BusStandIn();
    const third = await watch(apiServer(objects, []), after, { requests, store });
    await after.until(() => after.events.length >= 2);
    await third.set.stop();
    expect(after.events.map(summary)).toEqual(['ADDED w@11', 'ADDED v@5']);

    // A request served while running (its resync done) is saved as served.
    const served = new BusStandIn();
    const fourth = await watch(apiServer(objects, [], objects), served, { requests, store });
    const request = requests.request('subscriptions changed');
    await served.until(() => served.events.length >= 2);
    await until(() => fourth.set.served === request.revision);
    await fourth.set.stop();
    expect(served.events.map(summary)).toEqual(['MODIFIED w@11 resync 20', 'MODIFIED v@5 resync 20']);
    const fifth = new BusStandIn();
    await (await watch(apiServer(objects, []), fifth, { requests, store })).set.stop();
    expect(fifth.events).toEqual([]);
  });
});
