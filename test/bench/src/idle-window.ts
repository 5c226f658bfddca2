/** CPU-seconds used so far by each measured process, read at `at` (ms). */
export interface CpuSample {
  at: number;
  cpu: readonly number[];
}

/**
 * Idle as the benchmark defines it: a whole second in which the measured processes together used at most
 * `idleCpu` CPU-seconds. Tries each sample from `from` on as the start of such a second, once its window has
 * ended (at the first sample a second or more later; a longer window is held to the same CPU per second), in
 * order. The first quiet one's start (`idle`), or the first start whose window has not ended yet (`next`:
 * call again from there once more samples are in). Any sample may start a second, so the figure is as fine
 * as the sampling, whenever the work ended.
 */
export function firstQuietSecond(samples: readonly CpuSample[], from: number, idleCpu: number): { idle: number } | { next: number } {
  for (let start = from; ; start++) {
    const a = samples[start];
    const end = a === undefined ? -1 : samples.findIndex((x, k) => k > start && x.at - a.at >= 1_000);
    if (a === undefined || end < 0) return { next: start };
    const b = samples[end]!;
    const used = b.cpu.reduce((sum, c, i) => sum + c - a.cpu[i]!, 0);
    if (used <= (idleCpu * (b.at - a.at)) / 1_000) return { idle: start };
  }
}
