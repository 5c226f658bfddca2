import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@herald/core-kube';
import type { PluginStore } from '@herald/plugin-sdk';
import { memoryStore, recordingLogger } from '@herald/plugin-testing';
import { SourceCheckpoint, type Known } from './checkpoint.ts';
import { ObjectChanges } from './object-changes.ts';

const changes = new ObjectChanges([]);
const kept = (name: string, resourceVersion: string, spec: Record<string, unknown> = {}): KubeObject =>
  changes.keep({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name, uid: `uid-${name}`, resourceVersion, generation: 1, creationTimestamp: '2026-12-07T10:00:00Z' }, spec });
const checkpoint = (store: PluginStore, holder: string, log = recordingLogger()) => new SourceCheckpoint(store, holder, new ObjectChanges([]), log);
const pods = 'pods.v1 in namespace "ns"';

/** `a` claimed, then `b`: `a`'s claim is stale. */
async function claimedTwice() {
  const store = memoryStore();
  const stale = checkpoint(store, 'a');
  await stale.claim();
  const current = checkpoint(store, 'b');
  await current.claim();
  return { store, stale, current };
}

describe('source checkpoint', () => {
  it('is not used once the notification config asked for a resync the saving process had not served', async () => {
    const store = memoryStore();
    const first = checkpoint(store, 'a');
    await first.claim(3);
    expect(await first.save(new Map([[pods, [kept('web', '5')]]]), 3)).toBe(true);
    // Request 4 came after the save: every object is published again, and said why.
    const log = recordingLogger();
    const second = checkpoint(store, 'b', log);
    expect(await second.claim(4)).toBeUndefined();
    expect(log.text()).toContain('checkpoint saved before the notification config changed');
    // A process that served request 4 (or saw none newer) saves a checkpoint the next start uses.
    expect(await second.save(new Map([[pods, [kept('web', '6')]]]), 4)).toBe(true);
    expect((await checkpoint(store, 'c').claim(4))?.get(pods)?.map((o) => o.metadata?.resourceVersion)).toEqual(['6']);
    // One saved before any request was made is not used once one exists.
    const d = checkpoint(store, 'd');
    await d.claim();
    expect(await d.save(new Map([[pods, [kept('web', '7')]]]))).toBe(true);
    expect(await checkpoint(store, 'e').claim(1)).toBeUndefined();
  });

  it('gives the next claim what the last stop saved, once: every field kept as it was, for each collection', async () => {
    const store = memoryStore();
    const first = checkpoint(store, 'a');
    expect(await first.claim()).toBeUndefined();
    const known: Known = new Map([[pods, [kept('web', '5', { size: 1 }), kept('db', '6')]], ['widgets.v1.e2e.herald.dev', []]]);
    expect(await first.save(known)).toBe(true);

    const second = checkpoint(store, 'b');
    const restored = await second.claim();
    expect(restored).toEqual(known);
    // What the informer compares: a fingerprint kept the same way as `keep` does.
    expect(changes.changed(restored!.get(pods)![0]!, kept('web', '9', { size: 1 }))).toBe(false);
    expect(changes.changed(restored!.get(pods)![0]!, kept('web', '9', { size: 2 }))).toBe(true);
    // Used once: a process that starts after `b` without `b` having saved (killed) gets nothing.
    expect(await checkpoint(store, 'c').claim()).toBeUndefined();
  });

  it('saves nothing when another process claimed after this one: its save would describe what the other may have changed', async () => {
    const { store, stale, current } = await claimedTwice();
    // Never claimed: nothing to save.
    expect(await checkpoint(store, 'x').save(new Map())).toBe(false);
    expect(await stale.save(new Map([[pods, [kept('web', '5')]]]))).toBe(false);
    expect(await current.save(new Map([[pods, [kept('web', '7')]]]))).toBe(true);
    expect((await checkpoint(store, 'c').claim())?.get(pods)?.map((o) => o.metadata?.resourceVersion)).toEqual(['7']);
  });

  it('takes a checkpoint whose pieces a stale save wrote over for none: incomplete, never the stale one', async () => {
    const { store, stale, current } = await claimedTwice();
    expect(await current.save(new Map([[pods, [kept('web', '7')]]]))).toBe(true);
    // `a` lost its claim long ago and stops only now: its pieces land, its head does not.
    expect(await stale.save(new Map([[pods, [kept('web', '5')]]]))).toBe(false);
    const log = recordingLogger();
    expect(await checkpoint(store, 'c', log).claim()).toBeUndefined();
    expect(log.lines.map((l) => l.msg)).toContain('checkpoint incomplete in the store: publishing every object');
  });

  it('splits a large checkpoint into pieces of at most 256 Ki characters and joins them again', async () => {
    const store = memoryStore();
    const first = checkpoint(store, 'a');
    await first.claim();
    const many = Array.from({ length: 5_000 }, (_, n) => kept(`pod-${n}`, String(n)));
    await first.save(new Map([[pods, many]]));
    const pieces = [...(await store.entries())].filter(([key]) => key !== 'checkpoint');
    expect(pieces.length).toBeGreaterThan(1);
    // Each piece: the save's id (a UUID), a newline, and up to 256 Ki characters of the checkpoint.
    for (const [, piece] of pieces) expect(piece.value.length).toBeLessThanOrEqual(36 + 1 + 256 * 1024);
    expect((await checkpoint(store, 'b').claim())?.get(pods)).toEqual(many);
  });

  it('ignores a checkpoint it cannot use, saying why, and still claims: another format, a piece missing, a row not of its format', async () => {
    const cases: [string, (store: PluginStore) => Promise<unknown>, RegExp][] = [
      ['another format', async (store) => {
        const head = await store.get('checkpoint');
        await store.put('checkpoint', head!.value.replace('"format":1', '"format":99'));
      }, /checkpoint of another format \(99, this Herald reads 1\)/],
      ['a piece missing', async (store) => {
        await store.delete('checkpoint/0');
      }, /checkpoint incomplete in the store/],
      ['a row not of its format', async (store) => {
        for (const [key, entry] of await store.entries()) if (key !== 'checkpoint') await store.put(key, entry.value.replace('"uid-web"', '7'));
      }, /checkpoint unreadable/],
    ];
    for (const [what, spoil, message] of cases) {
      const store = memoryStore();
      const first = checkpoint(store, 'a');
      await first.claim();
      await first.save(new Map([[pods, [kept('web', '5')]]]));
      await spoil(store);
      const log = recordingLogger();
      const second = checkpoint(store, 'b', log);
      expect(await second.claim(), what).toBeUndefined();
      expect(log.lines.map((l) => l.msg).join('\n'), what).toMatch(message);
      // The claim stands: this process saves at its stop.
      expect(await second.save(new Map()), what).toBe(true);
    }
  });

  it('never rejects on a store that fails: no checkpoint, and no save', async () => {
    const broken: PluginStore = { ...memoryStore(), get: () => Promise.reject(new Error('bus unavailable')) };
    const log = recordingLogger();
    const source = checkpoint(broken, 'a', log);
    expect(await source.claim()).toBeUndefined();
    expect(await source.save(new Map([[pods, [kept('web', '5')]]]))).toBe(false);
    expect(log.lines.map((l) => l.msg)).toContain('checkpoint: cannot read it from the store; listing without one, and saving none at stop');
  });

  it('still saves at its stop when it claimed and only the read of the pieces failed', async () => {
    const store = memoryStore();
    const first = checkpoint(store, 'a');
    await first.claim();
    await first.save(new Map([[pods, [kept('web', '5')]]]));
    const failing: PluginStore = { ...store, get: (key) => (key === 'checkpoint' ? store.get(key) : Promise.reject(new Error('bus unavailable'))) };
    const log = recordingLogger();
    const second = checkpoint(failing, 'b', log);
    expect(await second.claim()).toBeUndefined();
    expect(log.lines.map((l) => l.msg)).toContain('checkpoint: cannot read it from the store; listing without one');
    expect(await second.save(new Map([[pods, [kept('web', '6')]]]))).toBe(true);
    expect((await checkpoint(store, 'c').claim())?.get(pods)?.map((o) => o.metadata?.resourceVersion)).toEqual(['6']);
  });
});
