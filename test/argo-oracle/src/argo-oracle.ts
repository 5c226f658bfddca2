import { spawnSync } from 'node:child_process';
import { toolPath } from '@herald/test-harness';
import type { CaseOutcome, OracleCase } from './outcome.ts';

/** The oracle binary scripts/dev builds from test/argo-oracle (HERALD_ARGO_ORACLE, else the cache). */
export function argoOraclePath(): string {
  return toolPath('HERALD_ARGO_ORACLE', 'argo-oracle', 'argo-oracle');
}

/** Runs cases through the real notifications-engine, all in one process. */
export function runArgoOracle(binary: string, cases: readonly OracleCase[]): CaseOutcome[] {
  const input = cases.map((c) => ({ configMap: c.configMap, secret: c.secret, preset: c.preset, now: c.now, objects: c.objects, destinations: c.destinations }));
  const result = spawnSync(binary, [], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`argo-oracle failed (exit ${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as CaseOutcome[];
}
