// Runs Herald's test tiers in order and ends with one summary line, `N passed, N failed`.
// Usage: node scripts/test-tiers.ts [typecheck|lint|unit|integration|e2e|deploy]...   (all when none given)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Nx's module-boundary lint rule reads the project graph, which `nx show projects` computes and caches.
const checks = {
  typecheck: ['node_modules/.bin/tsc', '-p', 'tsconfig.json'],
  lint: ['sh', '-c', 'node_modules/.bin/nx show projects >/dev/null && node_modules/.bin/eslint --max-warnings=0 .'],
} as const;
process.env.NX_DAEMON = 'false';
process.env.NX_NO_CLOUD = 'true';
const vitestTiers = ['unit', 'integration', 'e2e', 'deploy'] as const;
const all = [...Object.keys(checks), ...vitestTiers];

const wanted = process.argv.slice(2);
for (const tier of wanted) {
  if (!all.includes(tier)) {
    process.stderr.write(`unknown tier "${tier}"; use ${all.join(', ')}\n`);
    process.exit(2);
  }
}
const tiers = wanted.length ? wanted : all;
const reports = mkdtempSync(join(tmpdir(), 'herald-test-'));
let passed = 0;
let failed = 0;
let skipped = 0;
const failures: string[] = [];
const failedTests: string[] = [];

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
  testResults?: { name: string; message?: string; assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[] }[];
}

/** One line per failed test (tier, file, name, the first line of its error), so the end of a long CI log says what failed. */
function failedIn(tier: string, report: VitestReport): string[] {
  const lines: string[] = [];
  for (const file of report.testResults ?? []) {
    const where = file.name.startsWith(process.cwd()) ? file.name.slice(process.cwd().length + 1) : file.name;
    const failed = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failed) lines.push(`${tier}: ${where} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    if (!failed.length && file.message) lines.push(`${tier}: ${where}: ${firstLine(file.message)}`);
  }
  return lines;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n', 1)[0]?.slice(0, 300) ?? '';
}

for (const tier of tiers) {
  process.stdout.write(`\n=== ${tier} ===\n`);
  const started = Date.now();
  if (tier in checks) {
    const [cmd, ...args] = checks[tier as keyof typeof checks];
    const run = spawnSync(cmd, args, { stdio: 'inherit' });
    if (run.status === 0) passed++;
    else {
      failed++;
      failures.push(tier);
    }
  } else {
    const report = join(reports, `${tier}.json`);
    const run = spawnSync('node_modules/.bin/vitest', ['run', '--project', tier, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
      stdio: 'inherit',
    });
    let counts: VitestReport = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, numTotalTests: 0, testResults: [] };
    try {
      counts = JSON.parse(readFileSync(report, 'utf8')) as VitestReport;
      failedTests.push(...failedIn(tier, counts));
    } catch {
      // No report: vitest itself failed to run; counted below.
    }
    passed += counts.numPassedTests;
    failed += counts.numFailedTests;
    skipped += counts.numPendingTests + counts.numTodoTests;
    if (run.status !== 0 || counts.numTotalTests === 0) {
      failures.push(counts.numTotalTests === 0 ? `${tier} (ran no test)` : tier);
      if (counts.numFailedTests === 0) failed++;
    }
  }
  process.stdout.write(`--- ${tier}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
rmSync(reports, { recursive: true, force: true });

if (failedTests.length) process.stdout.write(`\nfailed tests:\n${failedTests.map((line) => `  ${line}`).join('\n')}\n`);
if (failures.length) process.stdout.write(`\nfailed tiers: ${failures.join(', ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failures.length ? 1 : 0);
