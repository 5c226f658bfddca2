import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './keyed-queue.ts';

/** A task that runs until `finish()` is called, recording when it started. */
function gate(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { task: async () => void (log.push(`start ${name}`), await done, log.push(`end ${name}`)), finish };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedQueue', () => {
  it('runs one key in order and other keys beside it; idle waits for every key of a group', async () => {
    const queue = new KeyedQueue(10);
    const log: string[] = [];
    const a1 = gate(log, 'a1');
    const a2 = gate(log, 'a2');
    const b1 = gate(log, 'b1');
    await queue.push('p0/a', a1.task, 'p0');
    await queue.push('p0/a', a2.task, 'p0');
    await queue.push('p0/b', b1.task, 'p0');
    await settle();
    // b1 is not held up by a1; a2 waits for a1.
    expect(log).toEqual(['start a1', 'start b1']);

    let idle = false;
    const waiting = queue.idle('p0').then(() => (idle = true));
    b1.finish();
    a1.finish();
    await settle();
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2']);
    expect(idle).toBe(false);
    a2.finish();
    await waiting;
    expect(log.at(-1)).toBe('end a2');
  });

  it('holds a producer back while every slot is taken', async () => {
    const queue = new KeyedQueue(1);
    const log: string[] = [];
    const first = gate(log, 'first');
    await queue.push('x', first.task);
    let pushed = false;
    const second = queue.push('y', async () => void log.push('second')).then(() => (pushed = true));
    await settle();
    expect(pushed).toBe(false);
    first.finish();
    await second;
    await queue.drain();
    expect(log).toEqual(['start first', 'end first', 'second']);
  });
});
