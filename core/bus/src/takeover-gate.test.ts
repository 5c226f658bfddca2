import type { JsMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { TakeoverGate } from './takeover-gate.ts';

const message = (seq: number) => ({ seq }) as JsMsg;
const settle = () => new Promise((resolve) => setImmediate(resolve));
/** Looks at the floor only when nudged (and once at the start): no timer decides what a test sees. */
const never = { min: 3_600_000, max: 3_600_000 };

describe('TakeoverGate', () => {
  it('lets what was left outstanding through, holds what came later, and releases it in order once the floor passed', async () => {
    let floor = 10;
    const gate = new TakeoverGate({ through: 13, ackFloor: async () => floor, pollMs: never });
    const released: number[] = [];
    const opened = gate.opened().then((held) => held.map((h) => (h.release(), h.message.seq)));

    // 11–13 were out when this process began: they are handled; 14 and 15 wait.
    expect([11, 12, 13].map((s) => gate.mustWait(message(s)))).toEqual([false, false, false]);
    for (const s of [14, 15]) {
      expect(gate.mustWait(message(s))).toBe(true);
      gate.hold(message(s), () => released.push(s));
    }
    floor = 12;
    gate.nudge();
    await settle();
    expect(gate.isOpen).toBe(false);

    floor = 13;
    gate.nudge();
    expect(await opened).toEqual([14, 15]);
    expect(released).toEqual([14, 15]);
    expect(gate.isOpen).toBe(true);
    expect(gate.mustWait(message(16))).toBe(false);
    expect(gate.close()).toEqual([]);
  });

  it('gives back what it holds when closed before the floor passed, and releases nothing', async () => {
    const gate = new TakeoverGate({ through: 5, ackFloor: async () => 2, pollMs: never });
    gate.hold(message(6), () => undefined);
    gate.hold(message(7), () => undefined);
    await settle();
    expect(gate.close().map((h) => h.message.seq)).toEqual([6, 7]);
    expect(await gate.opened()).toEqual([]);
    expect(gate.isOpen).toBe(false);
  });

  it('stays closed while the floor cannot be read, and opens once it can', async () => {
    let reachable = false;
    const gate = new TakeoverGate({
      through: 3,
      ackFloor: async () => {
        if (!reachable) throw new Error('disconnected');
        return 3;
      },
      pollMs: never,
    });
    gate.hold(message(4), () => undefined);
    await settle();
    expect(gate.isOpen).toBe(false);
    reachable = true;
    gate.nudge();
    expect((await gate.opened()).map((h) => h.message.seq)).toEqual([4]);
  });
});
