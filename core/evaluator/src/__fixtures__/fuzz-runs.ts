/**
 * How many cases a fuzz property tries: a fixed, small budget in the unit tier; `HERALD_FUZZ_RUNS`
 * raises it for a longer run (e.g. `HERALD_FUZZ_RUNS=5000 vitest run --project unit bounds-property`).
 * The seed is printed by fast-check on failure, so a failing case can be replayed.
 */
export function fuzzRuns(unitTier: number): number {
  const configured = Number(process.env.HERALD_FUZZ_RUNS);
  return Number.isInteger(configured) && configured > 0 ? configured : unitTier;
}

/** A test timeout that grows with the number of runs: far beyond what the bounds allow each case. */
export function fuzzTimeout(runs: number): number {
  return Math.max(60_000, runs * 400);
}
