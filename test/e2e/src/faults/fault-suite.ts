import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, summaryHeader, violationsOf, type FaultScenario, type FaultWorld, type ScenarioReport } from './fault-run.ts';
import { faultSize, selectedScenarios } from './fault-size.ts';

/** Lines go to stdout; with `report`, to HERALD_FAULTS_REPORT too (scripts/faults.ts prints that file at the end). */
function publish(line: string, report = false): void {
  process.stdout.write(`${line}\n`);
  if (report && process.env.HERALD_FAULTS_REPORT) appendFileSync(process.env.HERALD_FAULTS_REPORT, `${line}\n`);
}

/**
 * One fault suite: the world started once, each scenario run on it and judged by the same promises (nothing
 * lost, nothing sent twice, annotations complete, no process exiting on its own), the summary table last.
 * `ciScenarios`: the names the e2e tier runs when the run is not large (all when absent).
 */
export function defineFaultSuite(options: {
  title: string;
  scenarios: readonly FaultScenario[];
  ciScenarios?: readonly string[];
  start(): Promise<{ world: Omit<FaultWorld, 'logRoot' | 'seed'>; describe: string; stop(): Promise<void> }>;
}): void {
  const size = faultSize();
  const only = selectedScenarios() ?? (process.env.HERALD_FAULTS_SIZE === 'large' ? undefined : options.ciScenarios);
  const chosen = only ? options.scenarios.filter((s) => only.includes(s.name)) : options.scenarios;
  if (only && chosen.length !== only.length) throw new Error(`HERALD_FAULTS_ONLY names unknown scenarios: ${only.filter((n) => !options.scenarios.some((s) => s.name === n)).join(', ')}`);
  const seed = Number(process.env.HERALD_FAULTS_SEED ?? Date.now() % 1_000_000);
  const logRoot = mkdtempSync(join(tmpdir(), 'herald-faults-'));
  // Per scenario: starting processes, the drive, and the settle, with room for slow shared machines.
  const timeoutMs = 120_000 + size.stepTimeoutMs * (2 * size.rounds + 1) + size.settleTimeoutMs;
  const reports: ScenarioReport[] = [];
  let started: Awaited<ReturnType<typeof options.start>> | undefined;

  beforeAll(async () => {
    started = await options.start();
    publish(`${options.title}: ${size.pods} Pods × ${size.rounds} rounds per scenario, ${size.faults} faults of each kind, seed ${seed}, ${started.describe}, logs under ${logRoot}`, true);
  });
  afterAll(async () => {
    publish(['', summaryHeader, ...reports.map((r) => r.line)].join('\n'), true);
    await started?.stop();
  });

  describe(`${options.title}: nothing lost, nothing sent twice (real kube-apiserver, nats-server, HTTP receiver; Herald roles as OS processes)`, () => {
    for (const [index, scenario] of chosen.entries()) {
      it(
        `${scenario.name}: ${scenario.summary}`,
        async () => {
          const report = await runScenario({ ...started!.world, logRoot, seed: seed + index * 1_000 }, scenario, size);
          reports.push(report);
          publish(report.line);
          expect(violationsOf(report)).toBe('');
          expect(report.verdict.received + report.verdict.deadLettered).toBe(report.verdict.expected);
        },
        timeoutMs,
      );
    }
  });
}
