import { describe, expect, it } from 'vitest';
import { manualClock } from './manual-clock.ts';
import { memoryStore } from './memory-store.ts';
import { recordingLogger } from './recording-logger.ts';
import { recordingPublisher } from './recording-publisher.ts';
import { sampleNotification } from './sample-notification.ts';

describe('fakes of the core services', () => {
  it('manualClock wakes a sleep only once time is moved past it', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00Z'));
    let woke = false;
    const sleep = clock.sleep(1_000).then(() => (woke = true));
    clock.advance(999);
    await Promise.resolve();
    expect(woke).toBe(false);
    clock.advance(1);
    await sleep;
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(clock.pending()).toBe(0);
  });

  it('manualClock rejects a sleep with its signal’s reason', async () => {
    const clock = manualClock();
    const controller = new AbortController();
    const sleep = clock.sleep(1_000, controller.signal);
    controller.abort(new Error('stopped'));
    await expect(sleep).rejects.toThrow('stopped');
  });

  it('memoryStore keeps the compare-and-set rules', async () => {
    const store = memoryStore();
    const first = await store.create('k', 'a');
    expect(await store.create('k', 'b')).toBeUndefined();
    expect(await store.update('k', 'c', first! + 5)).toBeUndefined();
    const second = await store.update('k', 'c', first!);
    expect(await store.get('k')).toEqual({ value: 'c', revision: second });
    expect(await store.delete('k', first)).toBe(false);
    expect(await store.delete('k', second)).toBe(true);
    expect(await store.entries()).toEqual(new Map());
  });

  it('recordingLogger keeps the lines of its children with their bindings, errors readable', () => {
    const logger = recordingLogger();
    logger.child({ plugin: 'acme' }).warn({ err: new Error('boom') }, 'send failed');
    expect(logger.lines).toEqual([{ level: 'warn', bindings: { plugin: 'acme' }, obj: { err: expect.any(Error) }, msg: 'send failed' }]);
    expect(logger.text()).toContain('"message":"boom"');
  });

  it('recordingPublisher keeps what was published, once per id', async () => {
    const publisher = recordingPublisher();
    const n = sampleNotification();
    await publisher.notification(n, { id: 'x' });
    expect(await publisher.notification(n, { id: 'x' })).toMatchObject({ duplicate: true });
    expect(publisher.published).toEqual([{ channel: 'notifications', data: n, options: { id: 'x' } }]);
  });
});
