import { describe, expect, it } from 'vitest';
import { CurrentRead } from './state-epoch.ts';

/** A read the test answers by hand: each call is one read, answered in the order made. */
function manualRead() {
  const reads: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const read = () => new Promise<string>((resolve, reject) => reads.push({ resolve, reject }));
  return { reads, current: new CurrentRead(read) };
}

const settled = () => new Promise((r) => setImmediate(r));

describe('CurrentRead: every caller gets a read started after it asked', () => {
  it('a caller with nothing under way starts a read of its own', async () => {
    const { reads, current } = manualRead();
    const a = current.get();
    expect(reads).toHaveLength(1);
    reads[0]!.resolve('one');
    expect(await a).toBe('one');
  });

  it('callers while a read is under way share the next one, not the one started before they asked', async () => {
    const { reads, current } = manualRead();
    const first = current.get();
    const b = current.get();
    const c = current.get();
    expect(reads).toHaveLength(1);
    reads[0]!.resolve('before');
    expect(await first).toBe('before');
    await settled();
    expect(reads).toHaveLength(2);
    reads[1]!.resolve('after');
    expect(await b).toBe('after');
    expect(await c).toBe('after');
  });

  it('a caller after the shared read started waits for a later one', async () => {
    const { reads, current } = manualRead();
    void current.get();
    const b = current.get();
    reads[0]!.resolve('1');
    await settled();
    expect(reads).toHaveLength(2);
    const d = current.get();
    reads[1]!.resolve('2');
    expect(await b).toBe('2');
    await settled();
    expect(reads).toHaveLength(3);
    reads[2]!.resolve('3');
    expect(await d).toBe('3');
  });

  it('a failed read fails its callers only; the next caller reads again', async () => {
    const { reads, current } = manualRead();
    const a = current.get();
    const b = current.get();
    reads[0]!.reject(new Error('timeout'));
    await expect(a).rejects.toThrow('timeout');
    await settled();
    reads[1]!.resolve('fine');
    expect(await b).toBe('fine');
    const c = current.get();
    expect(reads).toHaveLength(3);
    reads[2]!.resolve('again');
    expect(await c).toBe('again');
  });
});
