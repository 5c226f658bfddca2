import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HeraldError, type BusPublisher, type ResourceEventData } from '@herald/plugin-sdk';
import { recordingLogger, recordingPublisher, type RecordingPublisher } from '@herald/plugin-testing';
import { describe, expect, it } from 'vitest';
import { FileSourceErrorCodes } from './errors.ts';
import { configSchema } from './file-source.config.ts';
import { FolderReader } from './folder-reader.ts';
import { FolderSync } from './folder-sync.ts';
import { ObjectIdentity } from './object-identity.ts';

const pod = (name: string, phase = 'Running', extra = '') => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${extra}status:\n  phase: ${phase}\n`;
const app = (name: string, phase: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\n  annotations:\n    notifications.argoproj.io/subscribe.on-sync-succeeded.hook: ""\nstatus:\n  operationState:\n    phase: ${phase}\n`;

let runs = 0;
/** A temp folder, a recording publisher and logger, and a FolderSync over them (`restart` makes a new one, as a new process would). */
function folder() {
  const dir = mkdtempSync(join(tmpdir(), 'herald-file-source-'));
  const log = recordingLogger();
  const publisher = recordingPublisher();
  const identity = new ObjectIdentity(configSchema.parse({ path: dir }));
  const start = (bus: BusPublisher = publisher) => new FolderSync({ reader: new FolderReader(dir, (o) => identity.of(o), log), publisher: bus, log, runId: `run${++runs}` });
  return {
    dir,
    log,
    publisher,
    start,
    write(file: string, text: string) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    },
    remove: (file: string) => rmSync(join(dir, file), { recursive: true }),
  };
}

/** `ACTION Kind namespace/name phase` of each event published. */
function events(publisher: RecordingPublisher, from = 0): string[] {
  return publisher.published.slice(from).map(({ data }) => {
    const { action, ref, object } = data as ResourceEventData;
    const status = object.status as { phase?: string; operationState?: { phase: string } } | undefined;
    return `${action} ${ref.kind} ${ref.namespace ?? ''}/${ref.name} ${status?.phase ?? status?.operationState?.phase ?? ''}`.trim();
  });
}
const ids = (publisher: RecordingPublisher) => publisher.published.map((p) => p.options?.id);
const errors = (log: ReturnType<typeof recordingLogger>, level: 'error' | 'warn' = 'error') => log.lines.filter((l) => l.level === level).map((l) => l.msg);

describe('FolderSync', () => {
  it('publishes ADDED for every object of the folder at start, in path order, skipping hidden files and other extensions', async () => {
    const f = folder();
    f.write('b.yaml', `${pod('b1')}---\n${pod('b2')}`);
    f.write('a/apps.yml', app('shop', 'Running'));
    f.write('c.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c1' }, status: { phase: 'Pending' } }] }));
    f.write('.b.yaml.swp', pod('swap'));
    f.write('.hidden/x.yaml', pod('hidden'));
    f.write('README.md', 'not a manifest');
    f.write('b.yaml~', pod('backup'));
    expect(await f.start().sync()).toEqual({ complete: true, pendingDeletions: 0, files: 3, objects: 4 });
    expect(events(f.publisher)).toEqual(['ADDED Application argocd/shop Running', 'ADDED Pod default/b1 Running', 'ADDED Pod default/b2 Running', 'ADDED Pod default/c1 Pending']);
    expect(f.log.lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
  });

  it('publishes MODIFIED when an object’s content changes, and nothing when a save changes no object', async () => {
    const f = folder();
    f.write('apps.yaml', `${app('shop', 'Running')}---\n${app('cart', 'Running')}`);
    const sync = f.start();
    await sync.sync();
    f.write('apps.yaml', `# a comment, keys reordered\n${app('shop', 'Running').replace('kind: Application\n', '')}kind: Application\n---\n${app('cart', 'Succeeded')}`);
    await sync.sync();
    await sync.sync();
    expect(events(f.publisher)).toEqual(['ADDED Application argocd/shop Running', 'ADDED Application argocd/cart Running', 'MODIFIED Application argocd/cart Succeeded']);
    const [added, , modified] = f.publisher.published.map((p) => p.data as ResourceEventData);
    expect(modified!.ref.uid).toBe((f.publisher.published[1]!.data as ResourceEventData).ref.uid);
    expect(modified!.resourceVersion).not.toBe((f.publisher.published[1]!.data as ResourceEventData).resourceVersion);
    expect(modified!.object.metadata).toMatchObject({ uid: modified!.ref.uid, resourceVersion: modified!.resourceVersion, namespace: 'argocd' });
    expect(added!.object.metadata).toMatchObject({ annotations: { 'notifications.argoproj.io/subscribe.on-sync-succeeded.hook': '' } });
  });

  it('publishes DELETED, with the object’s last version, once an object is missing from two reads in a row', async () => {
    const f = folder();
    f.write('a.yaml', `${pod('a1')}---\n${pod('a2')}`);
    f.write('b.yaml', pod('b', 'Succeeded'));
    const sync = f.start();
    await sync.sync();
    f.remove('b.yaml');
    f.write('a.yaml', pod('a1'));
    expect(await sync.sync()).toMatchObject({ complete: true, pendingDeletions: 2 });
    expect(events(f.publisher, 3)).toEqual([]);
    expect(await sync.sync()).toMatchObject({ complete: true, pendingDeletions: 0 });
    expect(events(f.publisher, 3)).toEqual(['DELETED Pod default/a2 Running', 'DELETED Pod default/b Succeeded']);
    const deleted = f.publisher.published[4]!.data as ResourceEventData;
    expect(deleted.resourceVersion).toBe((f.publisher.published[2]!.data as ResourceEventData).resourceVersion);
  });

  it('publishes nothing when an editor replaces a file (removed, then written again)', async () => {
    const f = folder();
    f.write('a.yaml', pod('a'));
    const sync = f.start();
    await sync.sync();
    renameSync(join(f.dir, 'a.yaml'), join(f.dir, 'a.yaml~'));
    await sync.sync();
    f.write('a.yaml', pod('a'));
    await sync.sync();
    await sync.sync();
    expect(events(f.publisher)).toEqual(['ADDED Pod default/a Running']);
  });

  it('gives an object the same uid, resourceVersion and event id on every start, so a restart over unchanged files adds nothing to the bus', async () => {
    const f = folder();
    f.write('apps.yaml', `${app('shop', 'Running')}---\n${pod('web')}`);
    await f.start().sync();
    const first = f.publisher.published.map((p) => ({ ...(p.data as ResourceEventData), object: undefined }));
    expect(ids(f.publisher)).toEqual(first.map((e) => `${e.ref.uid}:${e.resourceVersion}:ADDED`));

    const again = recordingPublisher();
    await f.start(again).sync();
    expect(again.published.map((p) => ({ ...(p.data as ResourceEventData), object: undefined }))).toEqual(first);
    expect(ids(again)).toEqual(ids(f.publisher));

    // One bus: the second start's events are the first's, dropped as duplicates.
    await f.start().sync();
    expect(f.publisher.published).toHaveLength(2);

    // Changed while Herald was stopped: the next start publishes the new version.
    f.write('apps.yaml', `${app('shop', 'Succeeded')}---\n${pod('web')}`);
    await f.start().sync();
    expect(events(f.publisher, 2)).toEqual(['ADDED Application argocd/shop Succeeded']);
  });

  it('publishes an edit undone and a file restored: a version seen before is a change, not a repeat', async () => {
    const f = folder();
    f.write('app.yaml', app('shop', 'Running'));
    const sync = f.start();
    await sync.sync();
    for (const phase of ['Succeeded', 'Running', 'Succeeded']) {
      f.write('app.yaml', app('shop', phase));
      await sync.sync();
    }
    f.remove('app.yaml');
    await sync.sync();
    await sync.sync();
    f.write('app.yaml', app('shop', 'Succeeded'));
    await sync.sync();
    expect(events(f.publisher)).toEqual([
      'ADDED Application argocd/shop Running',
      'MODIFIED Application argocd/shop Succeeded',
      'MODIFIED Application argocd/shop Running',
      'MODIFIED Application argocd/shop Succeeded',
      'DELETED Application argocd/shop Succeeded',
      'ADDED Application argocd/shop Succeeded',
    ]);
    expect(new Set(ids(f.publisher)).size).toBe(6);
  });

  it('keeps the last good version of the objects of a broken document, logs the file, document and field, and publishes the rest of the edit', async () => {
    const f = folder();
    f.write('apps.yaml', `${app('shop', 'Running')}---\n${app('cart', 'Running')}`);
    f.write('other.yaml', pod('other'));
    const sync = f.start();
    await sync.sync();

    // Mid-edit: the second document lost its name, the first changed.
    f.write('apps.yaml', `${app('shop', 'Succeeded')}---\n${app('cart', 'Succeeded').replace('  name: cart\n', '')}`);
    f.write('other.yaml', pod('other', 'Succeeded'));
    await sync.sync();
    await sync.sync();
    expect(events(f.publisher, 3)).toEqual(['MODIFIED Application argocd/shop Succeeded', 'MODIFIED Pod default/other Succeeded']);
    expect(errors(f.log)).toEqual(['apps.yaml document 2 (line 12): metadata.name: required; 1 object(s) it held before keep their last good version']);
    expect(f.log.lines.find((l) => l.level === 'error')!.obj).toEqual({ code: FileSourceErrorCodes.invalidObject, file: 'apps.yaml', document: 2, line: 12, field: 'metadata.name' });

    // Then not even YAML: everything it held stays.
    f.write('apps.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: [Application\n');
    await sync.sync();
    await sync.sync();
    expect(events(f.publisher, 5)).toEqual([]);
    expect(errors(f.log)[1]).toMatch(/^apps\.yaml document 1 \(line \d+\): invalid YAML: .*; 2 object\(s\) it held before keep their last good version$/);

    // Fixed, without cart: now cart is gone for good.
    f.write('apps.yaml', app('shop', 'Succeeded'));
    await sync.sync();
    await sync.sync();
    expect(events(f.publisher, 5)).toEqual(['DELETED Application argocd/cart Running']);
    expect(f.log.lines.some((l) => l.level === 'info' && l.msg === 'apps.yaml reads without errors again')).toBe(true);
    expect(errors(f.log)).toHaveLength(2);
  });

  it('warns once when two files define the same object, and publishes the one of the later file in path order', async () => {
    const f = folder();
    f.write('a.yaml', pod('web', 'Running'));
    f.write('b.yaml', pod('web', 'Failed'));
    const sync = f.start();
    await sync.sync();
    await sync.sync();
    expect(events(f.publisher)).toEqual(['ADDED Pod default/web Failed']);
    expect(errors(f.log, 'warn')).toEqual(['Pod default/web is defined twice, in a.yaml document 1 and in b.yaml document 1: the latter is used']);
    expect(f.log.lines.find((l) => l.level === 'warn')!.obj).toMatchObject({ code: FileSourceErrorCodes.duplicate });

    // The later one removed: the earlier one is the object now (a change, not a deletion).
    f.remove('b.yaml');
    await sync.sync();
    await sync.sync();
    expect(events(f.publisher, 1)).toEqual(['MODIFIED Pod default/web Running']);
  });

  it('keeps every object while the folder cannot be read', async () => {
    const f = folder();
    f.write('a.yaml', pod('a'));
    const sync = f.start();
    await sync.sync();
    rmSync(f.dir, { recursive: true });
    expect(await sync.sync()).toMatchObject({ complete: false });
    expect(await sync.sync()).toMatchObject({ complete: false });
    expect(events(f.publisher)).toEqual(['ADDED Pod default/a Running']);
    expect(errors(f.log)).toEqual([expect.stringMatching(/^cannot read the folder .*: every object keeps its last version until it can$/)]);
    f.write('a.yaml', pod('a'));
    expect(await sync.sync()).toMatchObject({ complete: true });
    expect(events(f.publisher)).toEqual(['ADDED Pod default/a Running']);
  });

  it('tries a change the bus could not take again at the next sync, with the same id; one it refused for good only once the object changes', async () => {
    const f = folder();
    f.write('a.yaml', pod('a'));
    const sync = (bus: BusPublisher) => f.start(bus);
    let failures = 1;
    const flaky: BusPublisher = {
      ...f.publisher,
      resourceEvent: (data, options) => (failures-- > 0 ? Promise.reject(new HeraldError('HERALD_ERR_BUS_PUBLISH_TIMEOUT', 'no ack', { retryable: true })) : f.publisher.resourceEvent(data, options)),
    };
    const s = sync(flaky);
    expect(await s.sync()).toMatchObject({ complete: false });
    await s.sync();
    expect(events(f.publisher)).toEqual(['ADDED Pod default/a Running']);
    expect(errors(f.log, 'warn')).toEqual(['cannot publish ADDED of Pod default/a (' + (f.publisher.published[0]!.data as ResourceEventData).resourceVersion + ') now; trying again at the next scan']);

    let refused = 0;
    const strict: BusPublisher = {
      ...f.publisher,
      resourceEvent: (data, options) => ((data.object.status as { phase: string }).phase === 'Huge' ? (refused++, Promise.reject(new HeraldError('HERALD_ERR_BUS_PAYLOAD_TOO_LARGE', 'too large for the stream'))) : f.publisher.resourceEvent(data, options)),
    };
    const t = sync(strict);
    await t.sync();
    f.write('a.yaml', pod('a', 'Huge'));
    await t.sync();
    await t.sync();
    expect(refused).toBe(1);
    expect(errors(f.log)).toEqual([expect.stringMatching(/^a\.yaml document 1: the bus refused MODIFIED of Pod default\/a \(sha256-\w+\): too large for the stream$/)]);
    f.write('a.yaml', pod('a', 'Succeeded'));
    await t.sync();
    expect(events(f.publisher)).toEqual(['ADDED Pod default/a Running', 'MODIFIED Pod default/a Succeeded']);
  });

  it('with a resync, publishes every unchanged object again as a MODIFIED marked resync, the changed ones as changes, and resumes a resync the bus broke off', async () => {
    const f = folder();
    f.write('a.yaml', `${pod('a')}---\n${pod('b')}---\n${pod('c')}`);
    let failAt: string | undefined;
    const bus: BusPublisher = {
      ...f.publisher,
      resourceEvent: (data, options) => (data.ref.name === failAt ? Promise.reject(new HeraldError('HERALD_ERR_BUS_PUBLISH_TIMEOUT', 'no ack', { retryable: true })) : f.publisher.resourceEvent(data, options)),
    };
    const s = f.start(bus);
    await s.sync();
    f.write('a.yaml', `${pod('a')}---\n${pod('b', 'Failed')}---\n${pod('c')}`);
    failAt = 'c';
    expect(await s.sync('r1')).toMatchObject({ complete: false });
    failAt = undefined;
    expect(await s.sync('r1')).toMatchObject({ complete: true });
    // Without a resync, unchanged objects are not published.
    await s.sync();
    const published = f.publisher.published.slice(3).map(({ data, options }) => ({ event: events({ published: [{ data }] } as RecordingPublisher)[0], resync: (data as ResourceEventData).resync, id: options?.id }));
    const rv = (name: string) => (f.publisher.published.find((p) => (p.data as ResourceEventData).ref.name === name)!.data as ResourceEventData).resourceVersion;
    const uid = (name: string) => (f.publisher.published.find((p) => (p.data as ResourceEventData).ref.name === name)!.data as ResourceEventData).ref.uid;
    expect(published).toEqual([
      { event: 'MODIFIED Pod default/a Running', resync: 'r1', id: `${uid('a')}:${rv('a')}:resync:r1` },
      { event: 'MODIFIED Pod default/b Failed', resync: undefined, id: expect.stringMatching(/^[\w-]+:sha256-\w+:MODIFIED:run\d+\.\d+$/) },
      // c failed, and the resync went on from it: a, already resynced, is not published twice.
      { event: 'MODIFIED Pod default/c Running', resync: 'r1', id: `${uid('c')}:${rv('c')}:resync:r1` },
    ]);
  });
});
