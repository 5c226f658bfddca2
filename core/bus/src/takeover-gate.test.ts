import type { JsMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { TakeoverGate } from './takeover-gate.ts';

const message = (seq: number) => ({ seq }) as JsMsg;
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};
/** Looks at the consumer only when a message comes (and once at the start): no timer decides what a test sees. */
const never = { min: 3_600_000, max: 3_600_000 };

/** A gate over a consumer whose state the test sets; what it passed on, in order. */
function gateOver(through: number, state: { pending: number; floor: number }) {
  const server = { ...state, reachable: true };
  const passed: number[] = [];
  const gate = new TakeoverGate({
    through,
    state: async () => {
      if (!server.reachable) throw new Error('disconnected');
      return { pending: server.pending, floor: server.floor };
    },
    pass: async (h) => void passed.push(h.message.seq),
    pollMs: never,
  });
  const hold = async (...seqs: number[]) => {
    seqs.forEach((s) => gate.hold(message(s), () => undefined));
    await settle();
  };
  return { gate, server, passed, hold };
}

describe('TakeoverGate', () => {
  it('waits until everything that was out is back, then passes it on in stream order, and later messages after it', async () => {
    // 11, 12 and 13 were out when this process began; 14 and 15 are new (all five unacknowledged at the server).
    const { gate, passed, hold } = gateOver(13, { pending: 5, floor: 10 });
    // 12 and 13 were handed back at once, 11 was lost on the wire and comes after the ack wait.
    await hold(13, 14, 12, 15);
    expect(passed).toEqual([]);
    expect(gate.isOpen).toBe(false);
    await hold(11);
    expect(passed).toEqual([11, 12, 13, 14, 15]);
    expect(gate.isOpen).toBe(true);
    expect(gate.close()).toEqual([]);
  });

  it('opens when what was out was acknowledged elsewhere, without coming back here', async () => {
    const { gate, server, passed, hold } = gateOver(5, { pending: 4, floor: 3 });
    await hold(6, 7);
    expect(gate.isOpen).toBe(false);
    // The earlier holder finished 4 and 5 after all.
    Object.assign(server, { pending: 2, floor: 5 });
    await hold(8);
    expect(passed).toEqual([6, 7, 8]);
    expect(gate.isOpen).toBe(true);
  });

  it('gives back everything it holds, in stream order, when closed before it opened', async () => {
    const { gate, passed, hold } = gateOver(5, { pending: 6, floor: 2 });
    await hold(7, 5, 6, 4);
    expect(gate.close().map((h) => h.message.seq)).toEqual([4, 5, 6, 7]);
    await gate.done();
    expect(passed).toEqual([]);
    expect(gate.isOpen).toBe(false);
  });

  it('passes nothing while the consumer cannot be read, and goes on once it can', async () => {
    const server = { reachable: false };
    const passed: number[] = [];
    const gate = new TakeoverGate({
      through: 3,
      state: async () => {
        if (!server.reachable) throw new Error('disconnected');
        return { pending: 3, floor: 0 };
      },
      pass: async (h) => void passed.push(h.message.seq),
      pollMs: { min: 1, max: 1 },
    });
    for (const s of [3, 1, 2]) gate.hold(message(s), () => undefined);
    await settle();
    expect(passed).toEqual([]);
    server.reachable = true;
    await gate.done();
    expect(passed).toEqual([1, 2, 3]);
  });
});
