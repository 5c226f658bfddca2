import { sinkSchemas } from '@herald/core-cli';
import { runArgoOracle } from './argo-oracle.ts';
import { compareOutcomes, type Comparison } from './compare.ts';
import { PARTS } from './corpus.ts';
import { runHerald, type HeraldSinks } from './herald-side.ts';
import type { OracleCase } from './outcome.ts';

export interface CaseResult extends Comparison {
  case: OracleCase;
}

/** Every case through the engine and through Herald (with `sinks`' schemas: see runHerald), compared. */
export function runDifferential(binary: string, cases: readonly OracleCase[], sinks?: HeraldSinks): CaseResult[] {
  const engine = runArgoOracle(binary, cases);
  return cases.map((c, i) => ({ case: c, ...compareOutcomes(engine[i]!, runHerald(c, sinks)) }));
}

/** Herald's built-in sinks' schemas, as `herald template notify` loads them without a herald.yaml. */
export async function builtInSinks(): Promise<HeraldSinks> {
  const { serviceSchemas, templateSchemas, deliveredServiceTypes } = await sinkSchemas(undefined);
  return { serviceSchemas, templateSchemas, deliveredServiceTypes };
}

/** Agreement per corpus part: whole cases, and single checks (load, each trigger, each rendered notification). */
export function agreementTable(results: readonly CaseResult[]): string {
  const rows = [['part', 'cases agreeing', 'checks agreeing']];
  for (const part of [...PARTS, 'all']) {
    const mine = results.filter((r) => part === 'all' || r.case.part === part);
    const casesOk = mine.filter((r) => r.disagreements.length === 0).length;
    const checks = mine.reduce((n, r) => n + r.checks, 0);
    const checksBad = mine.reduce((n, r) => n + new Set(r.disagreements.map((d) => d.where.split(' ').slice(0, 2).join(' '))).size, 0);
    const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
    rows.push([part, `${casesOk}/${mine.length} (${pct(casesOk, mine.length)})`, `${checks - checksBad}/${checks} (${pct(checks - checksBad, checks)})`]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}
