// The fault-injection suite at a large size (`scripts/dev faults`): the same scenarios the e2e tier runs
// small, with 700 Pods × 3 rounds (2,100 notifications) per scenario by default. Ends with the table of
// summary lines, one per scenario: scenario, N, received, duplicates, dead-lettered, lost.
//
// Usage: node scripts/faults.ts [--cluster] [--pods N] [--rounds N] [--faults N] [--only a,b] [--seed N] [--fuzz N] [--resync D]
// (--fuzz: cases per hostile-input fuzz property, run first; default 5000; --cluster: the cluster suite, three nats-servers R3 on network namespaces, as root)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    pods: { type: 'string' },
    rounds: { type: 'string' },
    faults: { type: 'string' },
    only: { type: 'string' },
    resync: { type: 'string' },
    seed: { type: 'string' },
    fuzz: { type: 'string' },
    cluster: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(0, 5).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'herald-faults-report-'));
const report = join(dir, 'summary.txt');
const env: NodeJS.ProcessEnv = { ...process.env, HERALD_FAULTS_SIZE: 'large', HERALD_FAULTS_REPORT: report };
if (values.pods) env.HERALD_FAULTS_PODS = values.pods;
if (values.rounds) env.HERALD_FAULTS_ROUNDS = values.rounds;
if (values.faults) env.HERALD_FAULTS_FAULTS = values.faults;
if (values.only) env.HERALD_FAULTS_ONLY = values.only;
if (values.resync) env.HERALD_FAULTS_RESYNC = values.resync;
if (values.seed) env.HERALD_FAULTS_SEED = values.seed;

// The hostile-input fuzz properties (expression and template compilers: no crash, evaluation bounded, key
// named) at a larger budget than the unit tier's, before the scenarios.
const fuzzRuns = values.fuzz ?? '5000';
const fuzz = spawnSync('node_modules/.bin/vitest', ['run', '--project', 'unit', 'bounds-property'], { stdio: 'inherit', env: { ...process.env, HERALD_FUZZ_RUNS: fuzzRuns } });
console.log(`\n=== hostile-input fuzz, ${fuzzRuns} cases per property: ${fuzz.status === 0 ? 'passed' : 'FAILED'} ===\n`);

const started = Date.now();
const suite = values.cluster ? 'test/e2e/src/faults/cluster-fault-suite.e2e.test.ts' : 'test/e2e/src/faults/fault-suite.e2e.test.ts';
const run = spawnSync('node_modules/.bin/vitest', ['run', '--project', 'e2e', suite], { stdio: 'inherit', env });
let summary = '';
try {
  summary = readFileSync(report, 'utf8');
} catch {
  summary = '(no scenario finished)\n';
}
rmSync(dir, { recursive: true, force: true });
console.log(`\n=== ${values.cluster ? 'cluster ' : ''}fault suite, large (${((Date.now() - started) / 60_000).toFixed(1)} min) ===\n${summary}`);
process.exit(fuzz.status === 0 ? (run.status ?? 1) : 1);
