import { describe, expect, it } from 'vitest';
import { firstQuietSecond, type CpuSample } from './idle-window.ts';

/** Samples every 100 ms from 0 to `untilMs`, of one process that used `busy(t)` CPU-seconds per second at ms t. */
function sampled(untilMs: number, busy: (t: number) => number): CpuSample[] {
  const samples: CpuSample[] = [];
  let cpu = 0;
  for (let at = 0; at <= untilMs; at += 100) {
    samples.push({ at, cpu: [cpu] });
    cpu += busy(at) * 0.1;
  }
  return samples;
}

describe('the first quiet second', () => {
  it('starts at the first sample after the work ended, not a whole second later', () => {
    // A core's worth of work until 550 ms, then nothing.
    const samples = sampled(3_000, (t) => (t < 550 ? 1 : 0));
    expect(firstQuietSecond(samples, 0, 0.02)).toEqual({ idle: 6 });
    expect(samples[6]!.at).toBe(600);
  });

  it('counts every process measured, and lets the quiet second start no earlier than asked', () => {
    const samples = sampled(3_000, () => 0).map((s, i) => ({ at: s.at, cpu: [0, i < 12 ? i * 0.05 : 0.55] }));
    expect(firstQuietSecond(samples, 0, 0.02)).toEqual({ idle: 11 });
    expect(firstQuietSecond(samples, 15, 0.02)).toEqual({ idle: 15 });
  });

  it('holds a second that background work never leaves quiet to the bar: no idle, and where to go on from', () => {
    // 3 % of a core all along, against a bar of 2 %.
    const samples = sampled(2_500, () => 0.03);
    expect(firstQuietSecond(samples, 0, 0.02)).toEqual({ next: 16 });
    expect(firstQuietSecond(samples, 0, 0.04)).toEqual({ idle: 0 });
  });

  it('waits for a window to end before judging it, and holds a longer one to the same CPU per second', () => {
    const quiet = sampled(900, () => 0);
    expect(firstQuietSecond(quiet, 0, 0.02)).toEqual({ next: 0 });
    // A late sample makes the window 1.5 s: 0.025 CPU-s in it is under 0.02 per second.
    const late: CpuSample[] = [{ at: 0, cpu: [0] }, { at: 1_500, cpu: [0.025] }];
    expect(firstQuietSecond(late, 0, 0.02)).toEqual({ idle: 0 });
    expect(firstQuietSecond([{ at: 0, cpu: [0] }, { at: 1_000, cpu: [0.025] }], 0, 0.02)).toEqual({ next: 1 });
  });
});
