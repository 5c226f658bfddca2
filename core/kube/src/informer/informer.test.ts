import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Informer, type InformerOptions } from './informer.ts';
import { KubeApiError } from './kube-api-error.ts';
import type { KubeClient, Query } from './kube-client.ts';
import type { InformerEvent, KubeObject } from './kube-object.ts';

const pod = (name: string, uid: string, resourceVersion: string, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { namespace: 'ns', name, uid, resourceVersion },
  ...extra,
});
const list = (resourceVersion: string, items: KubeObject[], next?: string) => ({
  apiVersion: 'v1',
  kind: 'PodList',
  metadata: { resourceVersion, ...(next ? { continue: next } : {}) },
  items,
});
const watchEvent = (type: string, object: KubeObject) => ({ type, object: { apiVersion: 'v1', kind: 'Pod', ...object } });
const gone = { type: 'ERROR', object: { kind: 'Status', status: 'Failure', message: 'too old resource version: 5 (9)', reason: 'Expired', code: 410 } };

/** A watch: its events, then how it ends (closed by the server, an error, or open until aborted). */
interface WatchScript {
  events: unknown[];
  end?: 'close' | 'hang' | Error;
}

/** A KubeClient answering from scripts, recording every request. */
class ScriptedClient implements KubeClient {
  readonly server = 'https://kube.test';
  readonly requests: { kind: 'get' | 'watch'; path: string; query: Query }[] = [];
  readonly lists: (object | Error)[] = [];
  readonly watches: WatchScript[] = [];

  async get<T>(path: string, query: Query, signal: AbortSignal): Promise<T> {
    this.requests.push({ kind: 'get', path, query });
    const next = this.lists.shift();
    if (next === undefined) return hang(signal);
    if (next instanceof Error) throw next;
    return structuredClone(next) as T;
  }

  async *stream(path: string, query: Query, signal: AbortSignal): AsyncIterable<unknown> {
    this.requests.push({ kind: 'watch', path, query });
    const script = this.watches.shift() ?? { events: [], end: 'hang' };
    for (const event of script.events) yield structuredClone(event);
    if (script.end instanceof Error) throw script.end;
    if (script.end !== 'close') await hang(signal);
  }

  async patch<T>(): Promise<T> {
    throw new Error('informers never patch');
  }

  async create<T>(): Promise<T> {
    throw new Error('informers never create');
  }

  async replace<T>(): Promise<T> {
    throw new Error('informers never replace');
  }

  watchQueries(): Query[] {
    return this.requests.filter((r) => r.kind === 'watch').map((r) => r.query);
  }
}

function hang(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

const informers: Informer[] = [];
afterEach(async () => {
  await Promise.all(informers.splice(0).map((i) => i.stop()));
});

function informer(client: ScriptedClient, options: Partial<InformerOptions> = {}) {
  const seen: InformerEvent[] = [];
  const i = new Informer({
    client,
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: 'ns',
    backoff: { baseMs: 1, maxMs: 2 },
    random: () => 0,
    onEvent: async (event) => void seen.push(event),
    ...options,
  });
  informers.push(i);
  const summary = () => seen.map((e) => `${e.type} ${e.object.metadata?.name}@${e.object.metadata?.resourceVersion}${e.finalStateUnknown ? '?' : ''}${e.resync === undefined ? '' : ` resync ${e.resync}`}`);
  return { informer: i, seen, summary };
}

describe('informer', () => {
  it('lists page by page, hands every object over as ADDED with apiVersion and kind, then watches from the list', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '3')], 'page-2'), list('10', [pod('b', '2', '4')]));
    client.watches.push({ events: [watchEvent('MODIFIED', pod('a', '1', '11')), watchEvent('DELETED', pod('b', '2', '12'))] });
    const { informer: i, seen, summary } = informer(client, { labelSelector: 'app=web', pageSize: 1, watchTimeoutSeconds: 60 });
    await i.start();
    await i.synced;
    await until(() => seen.length === 4, 'four events');
    expect(summary()).toEqual(['ADDED a@3', 'ADDED b@4', 'MODIFIED a@11', 'DELETED b@12']);
    expect(seen[0]!.object).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name: 'a', uid: '1', resourceVersion: '3' } });
    // A MODIFIED comes with the object as delivered before it.
    expect(seen[2]!.previous).toBe(seen[0]!.object);
    expect(client.requests.slice(0, 3)).toEqual([
      { kind: 'get', path: '/api/v1/namespaces/ns/pods', query: { labelSelector: 'app=web', fieldSelector: undefined, limit: 1, continue: undefined } },
      { kind: 'get', path: '/api/v1/namespaces/ns/pods', query: { labelSelector: 'app=web', fieldSelector: undefined, limit: 1, continue: 'page-2' } },
      { kind: 'watch', path: '/api/v1/namespaces/ns/pods', query: { watch: true, resourceVersion: '10', allowWatchBookmarks: true, timeoutSeconds: 60, labelSelector: 'app=web', fieldSelector: undefined } },
    ]);
    expect(i.resourceVersion).toBe('12');
    expect(i.objects().map((o) => o.metadata?.name)).toEqual(['a']);
  });

  it('fails start when the first list is refused, and delivers nothing', async () => {
    const client = new ScriptedClient();
    client.lists.push(new KubeApiError(403, 'pods is forbidden', { reason: 'Forbidden' }));
    const { informer: i, seen } = informer(client);
    await expect(i.start()).rejects.toMatchObject({ status: 403 });
    await i.stop();
    await expect(i.synced).rejects.toThrow(/stopped before its first list/);
    expect(seen).toEqual([]);
  });

  it('advances the resourceVersion on bookmarks only, and re-watches from it when the server closes the watch', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', []));
    client.watches.push({ events: [{ type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '25' } } }], end: 'close' });
    const { informer: i, seen } = informer(client);
    await i.start();
    await until(() => client.watchQueries().length === 2, 'a second watch');
    expect(client.watchQueries().map((q) => q.resourceVersion)).toEqual(['10', '25']);
    expect(seen).toEqual([]);
  });

  it('on 410 Gone relists and publishes only the difference: DELETED with the last known state for objects gone', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('keep', '1', '5'), pod('change', '2', '6'), pod('gone', '3', '7')]));
    client.watches.push({ events: [watchEvent('MODIFIED', pod('keep', '1', '11')), gone] });
    client.lists.push(list('30', [pod('keep', '1', '11'), pod('change', '2', '21'), pod('new', '4', '22')]));
    const observed: string[] = [];
    const observer = { listed: ({ relist, events }: { relist: boolean; events: number }) => observed.push(`${relist ? 'relist' : 'list'}:${events}`), watchEnded: (end: string) => observed.push(`watch ended:${end}`) };
    const { informer: i, summary } = informer(client, { observer });
    await i.start();
    await until(() => client.watchQueries().length === 2, 'the watch after the relist');
    expect(summary()).toEqual(['ADDED keep@5', 'ADDED change@6', 'ADDED gone@7', 'MODIFIED keep@11', 'DELETED gone@7?', 'MODIFIED change@21', 'ADDED new@22']);
    expect(observed).toEqual(['list:3', 'watch ended:gone', 'relist:3']);
    expect(client.watchQueries().map((q) => q.resourceVersion)).toEqual(['10', '30']);
    expect(i.objects().map((o) => o.metadata?.name).sort()).toEqual(['change', 'keep', 'new']);
  });

  it('relists on a 410 answer to the watch request too', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5')]), list('20', []));
    client.watches.push({ events: [], end: new KubeApiError(410, 'too old', { reason: 'Gone' }) });
    const { informer: i, summary } = informer(client);
    await i.start();
    await until(() => summary().length === 2, 'the deletion');
    expect(summary()).toEqual(['ADDED a@5', 'DELETED a@5?']);
  });

  it('lists again without pages when a continue token expired', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5')], 'old-token'), new KubeApiError(410, 'continue too old', { reason: 'Expired' }), list('12', [pod('a', '1', '5'), pod('b', '2', '11')]));
    const { informer: i, summary } = informer(client, { pageSize: 1 });
    await i.start();
    await i.synced;
    expect(summary()).toEqual(['ADDED a@5', 'ADDED b@11']);
    expect(client.requests.filter((r) => r.kind === 'get').map((r) => r.query.limit)).toEqual([1, 1, undefined]);
  });

  it('hands each page of the first list over while the next one is still being fetched', async () => {
    const client = new ScriptedClient();
    // The second page never comes.
    client.lists.push(list('10', [pod('a', '1', '5'), pod('b', '2', '6')], 'page-2'));
    const { informer: i, summary } = informer(client, { pageSize: 2 });
    await i.start();
    await until(() => summary().length === 2, 'the first page');
    expect(summary()).toEqual(['ADDED a@5', 'ADDED b@6']);
    expect(client.requests.map((r) => r.query.continue)).toEqual([undefined, 'page-2']);
    expect(i.hasSynced()).toBe(false);
  });

  it('when the continue token of the first list expires, reconciles the list without pages with the pages handed over: no repeats, DELETED for what went', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5'), pod('gone', '3', '6')], 'old-token'), new KubeApiError(410, 'continue too old', { reason: 'Expired' }), list('12', [pod('a', '1', '5'), pod('b', '2', '11')]));
    const { informer: i, summary } = informer(client, { pageSize: 2 });
    await i.start();
    await i.synced;
    expect(summary()).toEqual(['ADDED a@5', 'ADDED gone@6', 'DELETED gone@6?', 'ADDED b@11']);
    expect(i.resourceVersion).toBe('12');
  });

  it('resyncs every period: ends the watch, lists again and hands every object over, an unchanged one as a MODIFIED marked with the list, then watches from the list', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('same', '1', '5'), pod('change', '2', '6'), pod('gone', '3', '7'), pod('watched', '4', '8')]));
    // The first watch stays open: only the resync ends it.
    client.watches.push({ events: [watchEvent('MODIFIED', pod('watched', '4', '11'))], end: 'hang' });
    client.lists.push(list('30', [pod('same', '1', '5'), pod('change', '2', '21'), pod('watched', '4', '11'), pod('new', '5', '22')], 'page-2'), list('30', [pod('later', '6', '23')]));
    const observed: string[] = [];
    const observer = {
      listed: ({ relist, resync, events }: { relist: boolean; resync: boolean; events: number }) => observed.push(`${resync ? 'resync' : relist ? 'relist' : 'list'}:${events}`),
      watchEnded: (end: string) => observed.push(`watch ended:${end}`),
    };
    const { informer: i, summary } = informer(client, { observer, resyncPeriodMs: 50, pageSize: 4 });
    await i.start();
    await until(() => client.watchQueries().length === 2, 'the watch after the resync');
    expect(summary()).toEqual([
      'ADDED same@5', 'ADDED change@6', 'ADDED gone@7', 'ADDED watched@8',
      'MODIFIED watched@11',
      // The resync, page by page; what is gone, once every page was handed over.
      'MODIFIED same@5 resync 30', 'MODIFIED change@21', 'MODIFIED watched@11 resync 30', 'ADDED new@22', 'ADDED later@23', 'DELETED gone@7?',
    ]);
    expect(observed).toEqual(['list:4', 'watch ended:resync', 'resync:6']);
    expect(client.watchQueries().map((q) => q.resourceVersion)).toEqual(['10', '30']);
    expect(i.objects().map((o) => o.metadata?.name).sort()).toEqual(['change', 'later', 'new', 'same', 'watched']);
  });

  it('resyncs when asked (`resync()`): ends the watch, hands every object over, resolves true, and watches from the list', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5'), pod('b', '2', '6')]), list('20', [pod('a', '1', '5'), pod('b', '2', '16')]));
    client.watches.push({ events: [], end: 'hang' });
    const observed: string[] = [];
    const { informer: i, summary } = informer(client, { observer: { watchEnded: (end) => observed.push(end) } });
    await i.start();
    await until(() => client.watchQueries().length === 1, 'the first watch');
    expect(await i.resync()).toBe(true);
    expect(summary()).toEqual(['ADDED a@5', 'ADDED b@6', 'MODIFIED a@5 resync 20', 'MODIFIED b@16']);
    expect(observed).toEqual(['resync']);
    await until(() => client.watchQueries().length === 2, 'the watch after the resync');
    expect(client.watchQueries().map((q) => q.resourceVersion)).toEqual(['10', '20']);
  });

  it('asked to resync during its first list, lists it to the end, then resyncs; two asking at once share one resync', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5')], 'page-2'), list('10', [pod('b', '2', '6')]), list('20', [pod('a', '1', '5'), pod('b', '2', '6')]));
    const known = [pod('a', '1', '5'), pod('b', '2', '6')];
    let resyncs: Promise<boolean[]> | undefined;
    const seen: string[] = [];
    const { informer: i } = informer(client, {
      known,
      pageSize: 1,
      onEvent: async (event) => void seen.push(event.type),
      observer: {
        listed: () => {
          resyncs ??= Promise.all([i.resync(), i.resync()]);
        },
      },
    });
    await i.start();
    await until(() => resyncs !== undefined, 'the first list');
    expect(await resyncs).toEqual([true, true]);
    // The first list knew both objects and handed none over; the resync, both.
    expect(client.requests.filter((r) => r.kind === 'get')).toHaveLength(3);
    expect(seen).toEqual(['MODIFIED', 'MODIFIED']);
  });

  it('resolves false for a resync asked for and not done before it stopped', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5')]), new KubeApiError(500, 'etcd is down', { reason: 'InternalError' }));
    client.watches.push({ events: [], end: 'hang' });
    const { informer: i } = informer(client, { backoff: { baseMs: 60_000, maxMs: 60_000 } });
    await i.start();
    await until(() => client.watchQueries().length === 1, 'the first watch');
    const asked = i.resync();
    await until(() => client.requests.filter((r) => r.kind === 'get').length === 2, 'the resync list');
    await i.stop();
    expect(await asked).toBe(false);
    expect(await i.resync()).toBe(false);
  });

  it('keeps, for an unchanged object a resync hands over, what it kept before: `keep` is not called again', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5')]), list('20', [pod('a', '1', '5'), pod('b', '2', '15')]));
    const kept: string[] = [];
    const keep = (object: KubeObject): KubeObject => {
      kept.push(String(object.metadata?.name));
      return { metadata: { uid: object.metadata?.uid, name: object.metadata?.name, resourceVersion: object.metadata?.resourceVersion } };
    };
    const { informer: i, seen } = informer(client, { keep, resyncPeriodMs: 20 });
    await i.start();
    await until(() => client.watchQueries().length === 2, 'the watch after the resync');
    expect(kept).toEqual(['a', 'b']);
    expect(seen[1]!.resync).toBe('20');
    expect(seen[1]!.kept).toBe(seen[0]!.kept);
    expect(seen[1]!.previous).toBe(seen[0]!.kept);
  });

  it('resyncs again after each period, and not at all without one', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5')]), list('20', [pod('a', '1', '5')]), list('40', [pod('a', '1', '5')]));
    const { informer: i, summary } = informer(client, { resyncPeriodMs: 20 });
    await i.start();
    await until(() => client.watchQueries().length === 3, 'the watch after the second resync');
    expect(summary()).toEqual(['ADDED a@5', 'MODIFIED a@5 resync 20', 'MODIFIED a@5 resync 40']);

    const quiet = new ScriptedClient();
    quiet.lists.push(list('10', [pod('a', '1', '5')]), list('20', [pod('a', '1', '5')]));
    const { informer: without, summary: withoutSummary } = informer(quiet);
    await without.start();
    await until(() => quiet.watchQueries().length === 1, 'the watch');
    await delay(60);
    expect(withoutSummary()).toEqual(['ADDED a@5']);
    expect(quiet.requests.filter((r) => r.kind === 'get')).toHaveLength(1);
  });

  it('when the continue token of a resync expires, lists without pages and hands over each object once: the pages before are not resynced again', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5'), pod('b', '2', '6'), pod('c', '3', '7')]));
    client.lists.push(list('30', [pod('a', '1', '5')], 'old-token'), new KubeApiError(410, 'continue too old', { reason: 'Expired' }), list('32', [pod('a', '1', '5'), pod('b', '2', '6'), pod('d', '4', '31')]));
    const { informer: i, summary } = informer(client, { resyncPeriodMs: 20, pageSize: 3 });
    await i.start();
    await until(() => client.watchQueries().length === 2, 'the watch after the resync');
    expect(summary()).toEqual(['ADDED a@5', 'ADDED b@6', 'ADDED c@7', 'MODIFIED a@5 resync 30', 'DELETED c@7?', 'MODIFIED b@6 resync 32', 'ADDED d@31']);
    expect(client.watchQueries().map((q) => q.resourceVersion)).toEqual(['10', '32']);
  });

  it('keeps what `keep` returns of each object: handed over with its event, the next MODIFIED’s previous, and the DELETED a relist finds', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5', { spec: { size: 1 } }), pod('b', '2', '6', { spec: { size: 1 } })]));
    client.watches.push({ events: [watchEvent('MODIFIED', pod('a', '1', '11', { spec: { size: 2 } })), gone] });
    client.lists.push(list('30', [pod('a', '1', '11', { spec: { size: 2 } })]));
    const keep = (object: KubeObject): KubeObject => ({ metadata: { uid: object.metadata?.uid, name: object.metadata?.name, resourceVersion: object.metadata?.resourceVersion } });
    const { informer: i, seen, summary } = informer(client, { keep });
    await i.start();
    await until(() => client.watchQueries().length === 2, 'the watch after the relist');
    expect(summary()).toEqual(['ADDED a@5', 'ADDED b@6', 'MODIFIED a@11', 'DELETED b@6?']);
    // Every event carries its object whole; what came before it is what was kept.
    expect(seen[2]!.object.spec).toEqual({ size: 2 });
    expect(seen[2]!.previous).toEqual({ metadata: { uid: '1', name: 'a', resourceVersion: '5' } });
    expect(seen[2]!.kept).toEqual({ metadata: { uid: '1', name: 'a', resourceVersion: '11' } });
    expect(seen[3]!.object).toEqual({ metadata: { uid: '2', name: 'b', resourceVersion: '6' } });
    expect(i.objects()).toEqual([{ metadata: { uid: '1', name: 'a', resourceVersion: '11' } }]);
  });

  it('retries a failed watch (network, ERROR event, HTTP error) with backoff and resumes from the last resourceVersion, without relisting', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', []));
    client.watches.push(
      { events: [watchEvent('ADDED', pod('a', '1', '11'))], end: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) },
      { events: [{ type: 'ERROR', object: { kind: 'Status', status: 'Failure', message: 'internal error', reason: 'InternalError', code: 500 } }] },
      { events: [], end: new KubeApiError(429, 'storage is (re)initializing', { reason: 'TooManyRequests', retryAfterMs: 1 }) },
      { events: [watchEvent('MODIFIED', pod('a', '1', '13'))] },
    );
    const errors: unknown[] = [];
    const { informer: i, summary } = informer(client, { observer: { watchError: (err) => errors.push(err) } });
    await i.start();
    await until(() => summary().length === 2, 'the event after the failures');
    expect(summary()).toEqual(['ADDED a@11', 'MODIFIED a@13']);
    expect(client.watchQueries().map((q) => q.resourceVersion)).toEqual(['10', '11', '11', '11']);
    expect(client.requests.filter((r) => r.kind === 'get')).toHaveLength(1);
    expect(errors.map((e) => (e as { status?: number }).status ?? (e as { code?: string }).code)).toEqual(['ECONNRESET', 500, 429]);
  });

  it('treats a watch that ends at once without an event as a failure (backoff), not as a normal close', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', []));
    client.watches.push({ events: [], end: 'close' }, { events: [], end: 'close' });
    const errors: unknown[] = [];
    const { informer: i } = informer(client, { observer: { watchError: (err) => errors.push(err) } });
    await i.start();
    await until(() => client.watchQueries().length === 3, 'the third watch');
    expect(errors.map((e) => (e as Error).message)).toEqual(['the watch ended at once without an event', 'the watch ended at once without an event']);
  });

  it('offers a failed event again, in order, before anything later', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5')]));
    client.watches.push({ events: [watchEvent('MODIFIED', pod('a', '1', '11')), watchEvent('MODIFIED', pod('a', '1', '12'))] });
    const attempts: string[] = [];
    let failures = 3;
    const { informer: i } = informer(client, {
      onEvent: async ({ type, object }) => {
        attempts.push(`${type}@${object.metadata?.resourceVersion}`);
        if (object.metadata?.resourceVersion === '11' && failures-- > 0) throw new Error('bus down');
      },
    });
    await i.start();
    await until(() => attempts.length === 6, 'all attempts');
    expect(attempts).toEqual(['ADDED@5', 'MODIFIED@11', 'MODIFIED@11', 'MODIFIED@11', 'MODIFIED@11', 'MODIFIED@12']);
  });

  it('with maxInFlight, hands over events of different objects at once, one object’s in order, each after the one before; watches again once all were taken', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', []));
    client.watches.push({ events: [watchEvent('ADDED', pod('a', '1', '11')), watchEvent('ADDED', pod('b', '2', '12')), watchEvent('MODIFIED', pod('a', '1', '13'))], end: 'close' });
    const log: string[] = [];
    const release = new Map<string, () => void>();
    const { informer: i } = informer(client, {
      maxInFlight: 4,
      onEvent: async ({ object }) => {
        const id = `${object.metadata?.name}@${object.metadata?.resourceVersion}`;
        log.push(`start ${id}`);
        await new Promise<void>((resolve) => release.set(id, resolve));
        log.push(`end ${id} (watches so far: ${client.watchQueries().length})`);
      },
    });
    await i.start();
    await until(() => release.has('a@11') && release.has('b@12'), 'a and b in flight together');
    release.get('b@12')!();
    release.get('a@11')!();
    await until(() => release.has('a@13'), 'a’s second event');
    release.get('a@13')!();
    await until(() => client.watchQueries().length === 2, 'the next watch');
    expect(log).toEqual(['start a@11', 'start b@12', 'end b@12 (watches so far: 1)', 'end a@11 (watches so far: 1)', 'start a@13', 'end a@13 (watches so far: 1)']);
    expect(client.watchQueries()[1]!.resourceVersion).toBe('13');
  });

  it('with maxInFlight, is synced only once every listed object was taken', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5'), pod('b', '2', '6')]));
    const release: (() => void)[] = [];
    const { informer: i } = informer(client, { maxInFlight: 4, onEvent: () => new Promise<void>((resolve) => release.push(resolve)) });
    await i.start();
    await until(() => release.length === 2, 'both in flight');
    expect(i.hasSynced()).toBe(false);
    release[0]!();
    release[1]!();
    await i.synced;
    await until(() => client.watchQueries().length === 1, 'the watch');
    expect(client.watchQueries()[0]!.resourceVersion).toBe('10');
  });

  it('with what an earlier informer took (`known`), the first list hands over only what changed: MODIFIED with what was known, ADDED, and DELETED for what went, page by page', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('40', [pod('same', '1', '5'), pod('changed', '2', '33')], 'page-2'), list('40', [pod('new', '4', '34')]));
    const known = [pod('same', '1', '5'), pod('changed', '2', '6'), pod('gone', '3', '7')];
    const observed: string[] = [];
    const { informer: i, seen, summary } = informer(client, { known, pageSize: 2, observer: { listed: ({ relist, events }) => observed.push(`${relist ? 'relist' : 'list'}:${events}`) } });
    await i.start();
    await i.synced;
    expect(summary()).toEqual(['MODIFIED changed@33', 'ADDED new@34', 'DELETED gone@7?']);
    expect(seen[0]!.previous).toEqual(known[1]);
    expect(seen[2]!.object).toEqual(known[2]);
    expect(observed).toEqual(['list:3']);
    await until(() => client.watchQueries().length === 1, 'the watch');
    expect(client.watchQueries().map((q) => q.resourceVersion)).toEqual(['40']);
    expect(i.taken().map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort()).toEqual(['changed@33', 'new@34', 'same@5']);
  });

  it('takes out of `taken()` an object whose event was not taken when it stopped, and keeps one whose DELETED was not: a later first list hands both over again', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5'), pod('b', '2', '6'), pod('c', '3', '7')]));
    client.watches.push({ events: [watchEvent('MODIFIED', pod('a', '1', '11')), watchEvent('DELETED', pod('b', '2', '12'))] });
    let refusing = false;
    const { informer: i, seen } = informer(client, {
      maxInFlight: 4,
      onEvent: async (event) => {
        // From the watch on, nothing is taken: the bus is down, say.
        if (refusing) throw new Error('bus unavailable');
        seen.push(event);
      },
      observer: { listed: () => (refusing = true) },
    });
    await i.start();
    await i.synced;
    await until(() => i.objects().length === 2, 'the watch events handed over');
    await i.stop();
    expect(seen.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED a', 'ADDED b', 'ADDED c']);
    // a's MODIFIED was not taken: left out. b's DELETED was not taken: b as it was. c: as taken.
    expect(i.taken().map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort()).toEqual(['b@6', 'c@7']);

    const next = new ScriptedClient();
    next.lists.push(list('20', [pod('a', '1', '11'), pod('c', '3', '7')]));
    const later = informer(next, { known: i.taken() });
    await later.informer.start();
    await later.informer.synced;
    expect(later.summary()).toEqual(['ADDED a@11', 'DELETED b@6?']);
  });

  it('stops while an event is being handled: waits for it, delivers nothing afterwards, and stops once', async () => {
    const client = new ScriptedClient();
    client.lists.push(list('10', [pod('a', '1', '5'), pod('b', '2', '6')]));
    let release: (() => void) | undefined;
    const handled: string[] = [];
    const { informer: i } = informer(client, {
      onEvent: async ({ object }) => {
        if (object.metadata?.name === 'a') await new Promise<void>((r) => (release = r));
        handled.push(String(object.metadata?.name));
      },
    });
    await i.start();
    await until(() => release !== undefined, 'the first event in flight');
    let stopped = false;
    const stopping = i.stop().then(() => (stopped = true));
    await delay(20);
    expect(stopped).toBe(false);
    release!();
    await stopping;
    await i.stop();
    await delay(20);
    expect(handled).toEqual(['a']);
    expect(client.watchQueries()).toEqual([]);
  });
});
