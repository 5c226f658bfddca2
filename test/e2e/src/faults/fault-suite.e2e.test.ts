import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, startNats, type ControlPlane, type NatsServer } from '@herald/test-harness';
import { runScenario, summaryHeader, type ScenarioReport } from './fault-run.ts';
import { scenarios } from './fault-scenarios.ts';
import { faultSize, selectedScenarios } from './fault-size.ts';

const size = faultSize();
const only = selectedScenarios();
const chosen = only ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
if (only && chosen.length !== only.length) throw new Error(`HERALD_FAULTS_ONLY names unknown scenarios: ${only.filter((n) => !scenarios.some((s) => s.name === n)).join(', ')}`);
const seed = Number(process.env.HERALD_FAULTS_SEED ?? Date.now() % 1_000_000);
const logRoot = mkdtempSync(join(tmpdir(), 'herald-faults-'));
// Per scenario: starting processes, the drive, and the settle, with room for slow shared machines.
const timeoutMs = 120_000 + size.stepTimeoutMs * (2 * size.rounds + 1) + size.settleTimeoutMs;
const reports: ScenarioReport[] = [];

/** Lines go to stdout; with `report`, to HERALD_FAULTS_REPORT too (scripts/faults.ts prints that file at the end). */
function publish(line: string, report = false): void {
  process.stdout.write(`${line}\n`);
  if (report && process.env.HERALD_FAULTS_REPORT) appendFileSync(process.env.HERALD_FAULTS_REPORT, `${line}\n`);
}

let cp: ControlPlane;
let nats: NatsServer;

beforeAll(async () => {
  [cp, nats] = await Promise.all([startControlPlane(), startNats()]);
  publish(`fault suite: ${size.pods} Pods × ${size.rounds} rounds per scenario, ${size.faults} faults of each kind, seed ${seed}, logs under ${logRoot}`, true);
});
afterAll(async () => {
  publish(['', summaryHeader, ...reports.map((r) => r.line)].join('\n'), true);
  await Promise.all([cp?.stop(), nats?.stop()]);
});

describe('fault injection: nothing lost, nothing sent twice (real kube-apiserver, nats-server, HTTP receiver; Herald roles as OS processes)', () => {
  for (const [index, scenario] of chosen.entries()) {
    it(
      `${scenario.name}: ${scenario.summary}`,
      async () => {
        const report = await runScenario({ cp, nats, logRoot, seed: seed + index * 1_000 }, scenario, size);
        reports.push(report);
        publish(report.line);
        const v = report.verdict;
        const violations = [
          ...(v.lost ? [`${v.lost} notification(s) lost`] : []),
          ...(v.doubleSends ? [`${v.doubleSends} notification(s) delivered under more than one Idempotency-Key`] : []),
          ...(v.keyConflicts ? [`${v.keyConflicts} Idempotency-Key(s) reused for another notification`] : []),
          ...(v.unexpected ? [`${v.unexpected} unexpected notification(s)`] : []),
          ...(v.poisonMissing ? [`${v.poisonMissing} poison message(s) not dead-lettered with a reason`] : []),
          ...(report.annotationsMissing ? [`${report.annotationsMissing} Pod(s) whose notified annotation lacks the sent claim`] : []),
          ...report.unexpectedExits.map((e) => `${e.member} exited on its own (code ${e.code}, signal ${e.signal}):\n${e.logTail}`),
        ];
        const context = violations.length ? ['', ...v.details.slice(0, 40), '', 'timeline:', ...report.timeline, `logs: ${report.logDir}`] : [];
        expect([...violations, ...context].join('\n')).toBe('');
        expect(v.received + v.deadLettered).toBe(v.expected);
      },
      timeoutMs,
    );
  }
});
