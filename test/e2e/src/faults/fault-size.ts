import type { FaultSize } from './fault-run.ts';

/**
 * The run's size. CI (the e2e tier) runs a small one; `scripts/dev faults` sets HERALD_FAULTS_SIZE=large.
 * HERALD_FAULTS_PODS, _ROUNDS and _FAULTS override single figures.
 */
export function faultSize(env: NodeJS.ProcessEnv = process.env): FaultSize {
  const large = env.HERALD_FAULTS_SIZE === 'large';
  const int = (name: string, fallback: number) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${value}: expected a positive integer`);
    return n;
  };
  const pods = int('HERALD_FAULTS_PODS', large ? 700 : 40);
  return {
    pods,
    rounds: int('HERALD_FAULTS_ROUNDS', 3),
    faults: int('HERALD_FAULTS_FAULTS', large ? 6 : 3),
    // Generous: a step waits for the apiserver to come back or for the source to catch up, never for Herald.
    stepTimeoutMs: Math.max(120_000, pods * 400),
    settleTimeoutMs: Math.max(180_000, pods * 1_000),
  };
}

/** Scenario names to run (HERALD_FAULTS_ONLY=a,b); all when unset. */
export function selectedScenarios(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const only = env.HERALD_FAULTS_ONLY?.trim();
  return only ? only.split(',').map((s) => s.trim()) : undefined;
}
