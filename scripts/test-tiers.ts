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
    let counts = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, numTotalTests: 0 };
    try {
      counts = JSON.parse(readFileSync(report, 'utf8')) as typeof counts;
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

if (failures.length) process.stdout.write(`\nfailed tiers: ${failures.join(', ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failures.length ? 1 : 0);
