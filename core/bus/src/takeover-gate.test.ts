import type { JsMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { TakeoverGate } from './takeover-gate.ts';

const message = (seq: number) => ({ seq }) as JsMsg;
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};
/** Looks at the consumer only when a message comes: no timer decides what a test sees. */
const never = { min: 3_600_000, max: 3_600_000 };

/** A gate over a consumer whose unacknowledged count the test sets; what it passed on, in order. */
function gateOver(pending: number) {
  const server = { pending, reachable: true, looks: 0 };
  const passed: number[] = [];
  const gate = new TakeoverGate({
    pending: async () => {
      server.looks++;
      if (!server.reachable) throw new Error('disconnected');
      return server.pending;
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
  it('waits until everything the consumer has out is here, then passes it on in stream order, and later messages straight on', async () => {
    // 11, 12 and 13 were out with an earlier holder; 14 and 15 are new: five unacknowledged at the server.
    const { gate, passed, hold } = gateOver(5);
    // 12 and 13 were handed back at once, 11 was lost on the wire and comes after the ack wait.
    await hold(13, 14, 12, 15);
    expect(passed).toEqual([]);
    expect(gate.isOpen).toBe(false);
    await hold(11);
    expect(passed).toEqual([11, 12, 13, 14, 15]);
    expect(gate.isOpen).toBe(true);
    expect(gate.close()).toEqual([]);
  });

  it('opens at its first message when nothing else is out, and never looks while it holds nothing', async () => {
    const { gate, server, passed, hold } = gateOver(1);
    await settle();
    expect(server.looks).toBe(0);
    await hold(1);
    expect(passed).toEqual([1]);
    expect(gate.isOpen).toBe(true);
    expect(server.looks).toBe(1);
  });

  it('opens when what was out was acknowledged by the earlier holder instead of coming back', async () => {
    const { gate, server, passed, hold } = gateOver(4);
    await hold(6, 7);
    expect(gate.isOpen).toBe(false);
    // The earlier holder finished its two after all.
    server.pending = 3;
    await hold(8);
    expect(passed).toEqual([6, 7, 8]);
    expect(gate.isOpen).toBe(true);
  });

  it('gives back everything it holds, in stream order, when closed before it opened', async () => {
    const { gate, passed, hold } = gateOver(6);
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
      pending: async () => {
        if (!server.reachable) throw new Error('disconnected');
        return 3;
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
