import { describe, expect, it } from 'vitest';
import type { InformerEvent, KubeObject } from './kube-object.ts';
import { reconcile } from './reconcile.ts';

const obj = (name: string, uid: string, resourceVersion: string): KubeObject => ({ kind: 'Pod', metadata: { namespace: 'ns', name, uid, resourceVersion } });
const cache = (...objects: KubeObject[]) => new Map(objects.map((o) => [o.metadata!.uid!, o]));
const summary = (events: InformerEvent[]) => events.map((e) => `${e.type} ${e.object.metadata?.name}@${e.object.metadata?.resourceVersion}${e.finalStateUnknown ? ' (final state unknown)' : ''}${e.resync === undefined ? '' : ` (resync ${e.resync})`}`);

describe('reconcile after a relist', () => {
  it.each<[string, Map<string, KubeObject>, KubeObject[], string[]]>([
    ['the first list: everything is ADDED, in list order', cache(), [obj('b', '2', '20'), obj('a', '1', '10')], ['ADDED b@20', 'ADDED a@10']],
    ['nothing changed: no event', cache(obj('a', '1', '10')), [obj('a', '1', '10')], []],
    ['a changed resourceVersion: MODIFIED with the new object', cache(obj('a', '1', '10')), [obj('a', '1', '15')], ['MODIFIED a@15']],
    ['a new object: ADDED', cache(obj('a', '1', '10')), [obj('a', '1', '10'), obj('b', '2', '12')], ['ADDED b@12']],
    ['an object gone: DELETED with its last known state', cache(obj('a', '1', '10'), obj('b', '2', '11')), [obj('b', '2', '11')], ['DELETED a@10 (final state unknown)']],
    ['everything gone', cache(obj('a', '1', '10'), obj('b', '2', '11')), [], ['DELETED a@10 (final state unknown)', 'DELETED b@11 (final state unknown)']],
    [
      'the same name with a new UID: the old one DELETED before the new one ADDED',
      cache(obj('a', '1', '10')),
      [obj('a', '9', '30')],
      ['DELETED a@10 (final state unknown)', 'ADDED a@30'],
    ],
    [
      'all at once: deletions first, then the list in order',
      cache(obj('keep', '1', '10'), obj('change', '2', '11'), obj('gone', '3', '12')),
      [obj('new', '4', '40'), obj('change', '2', '41'), obj('keep', '1', '10')],
      ['DELETED gone@12 (final state unknown)', 'ADDED new@40', 'MODIFIED change@41'],
    ],
  ])('%s', (_, known, listed, expected) => {
    expect(summary(reconcile(known, listed))).toEqual(expected);
  });

  it('hands a MODIFIED the object as known before it', () => {
    const before = obj('a', '1', '10');
    expect(reconcile(cache(before), [obj('a', '1', '15')])[0]!.previous).toBe(before);
  });

  it('skips listed objects without a UID and does not change the cache it was given', () => {
    const known = cache(obj('a', '1', '10'));
    expect(summary(reconcile(known, [{ metadata: { name: 'odd' } }, obj('a', '1', '10')]))).toEqual([]);
    expect([...known.keys()]).toEqual(['1']);
  });
});

describe('reconcile in a resync', () => {
  it('hands an unchanged object over too, marked with the resync, after what is gone; changes and new objects as in a relist', () => {
    const known = cache(obj('keep', '1', '10'), obj('change', '2', '11'), obj('gone', '3', '12'));
    const events = reconcile(known, [obj('new', '4', '40'), obj('change', '2', '41'), obj('keep', '1', '10')], { resourceVersion: '50' });
    expect(summary(events)).toEqual(['DELETED gone@12 (final state unknown)', 'ADDED new@40', 'MODIFIED change@41', 'MODIFIED keep@10 (resync 50)']);
    expect(events[3]!.previous).toBe(known.get('1'));
  });

  it('does not resync again what the pages before it handed over', () => {
    const known = cache(obj('a', '1', '10'), obj('b', '2', '11'));
    expect(summary(reconcile(known, [obj('a', '1', '10'), obj('b', '2', '11')], { resourceVersion: '60', delivered: new Set(['1']) }))).toEqual(['MODIFIED b@11 (resync 60)']);
  });
});
