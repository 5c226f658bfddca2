// Checks the public API of the published packages (@herald/plugin-sdk, @herald/plugin-testing) against the
// reports committed in <package>/api/*.api.md, made by API Extractor from the compiled .d.ts.
// Usage: node scripts/api-report.ts            fails, showing the difference, when a surface changed
//        node scripts/api-report.ts --update   rewrites the reports (commit them with the change)
//        node scripts/api-report.ts --reports <dir> [--package plugins/sdk]   compares one package, or
//          both, against the reports in <dir> instead (tests)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = join(import.meta.dirname, '..');
const packageAt = process.argv.indexOf('--package');
const published = packageAt > 0 ? [process.argv[packageAt + 1] ?? ''] : ['plugins/sdk', 'plugins/testing'];
const update = process.argv.includes('--update');
const reportsAt = process.argv.indexOf('--reports');
const reportFolder = reportsAt > 0 ? resolve(process.argv[reportsAt + 1] ?? '.') : undefined;

const build = spawnSync(process.execPath, [join(root, 'scripts/build.ts'), ...published.map((p) => join(root, p))], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const changed: string[] = [];
for (const dir of published) {
  const configPath = join(root, dir, 'api-extractor.json');
  const prepared = ExtractorConfig.prepare({
    configObject: {
      ...ExtractorConfig.loadFile(configPath),
      ...(reportFolder ? { apiReport: { ...ExtractorConfig.loadFile(configPath).apiReport!, reportFolder } } : {}),
    },
    configObjectFullPath: configPath,
    packageJsonFullPath: join(root, dir, 'package.json'),
  });
  const result = Extractor.invoke(prepared, { localBuild: update, showVerboseMessages: false });
  if (!result.succeeded || result.apiReportChanged) {
    changed.push(`${prepared.packageJson?.name ?? dir}: ${result.apiReportChanged ? describeChange(prepared) : `${result.errorCount} error(s), ${result.warningCount} warning(s)`}`);
  }
}

if (changed.length > 0 && !update) {
  process.stderr.write(
    `\nThe public API changed without its report:\n  ${changed.join('\n  ')}\n` +
      'If the change is intended, run `npm run api:update` and commit the api/*.api.md files with it ' +
      '(a removal or an incompatible change needs a major version of the package: see plugins/sdk/README.md#versions).\n',
  );
  process.exit(1);
}
process.stdout.write(update ? 'API reports updated\n' : 'API reports match the public API\n');

function describeChange(config: ExtractorConfig): string {
  const expected = config.reportConfigs[0];
  if (!expected) return 'the report changed';
  const committed = join(config.reportFolder, expected.fileName);
  const fresh = join(config.reportTempFolder, expected.fileName);
  if (!existsSync(committed)) return `${committed} is missing`;
  const before = new Set(readFileSync(committed, 'utf8').split(/\r?\n/));
  const after = new Set(readFileSync(fresh, 'utf8').split(/\r?\n/));
  const removed = [...before].filter((l) => !after.has(l) && l.trim());
  const added = [...after].filter((l) => !before.has(l) && l.trim());
  return [`${committed} differs from ${fresh}:`, ...removed.slice(0, 10).map((l) => `    - ${l}`), ...added.slice(0, 10).map((l) => `    + ${l}`)].join('\n');
}
