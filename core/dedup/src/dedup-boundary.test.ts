import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The repository's own ESLint config, run on snippets placed (by path) in other packages. The Nx boundary
// rule needs the project graph, which `nx show projects` builds before a real lint; it is not what this
// test is about, so it is off here.
const root = fileURLToPath(new URL('../../../', import.meta.url));
let eslint: ESLint;
beforeAll(async () => {
  eslint = new ESLint({ cwd: root, overrideConfig: { rules: { '@nx/enforce-module-boundaries': 'off' } } });
  // The first lint loads the config and its plugins (seconds on a loaded machine): done here, under this
  // hook's own bound, so no single case pays for it against the per-test timeout.
  await eslint.lintText('export {};\n', { filePath: `${root}core/dedup/src/warm-up.ts` });
}, 120_000);

async function lint(code: string, path: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('only core/dedup reads or writes claims and the notified annotation', () => {
  it.each([
    ['a deep import of the claim codec', "import { encodeClaim } from '@herald/core-dedup/src/claim-codec.ts';\nvoid encodeClaim;\n", 'core/evaluator/src/runtime/sneaky.ts', /no-restricted-imports: .*core\/dedup's/],
    ['a relative import of the claim codec', "import { decodeClaim } from '../../../dedup/src/claim-codec.ts';\nvoid decodeClaim;\n", 'core/cli/src/commands/sneaky.ts', /no-restricted-imports: .*core\/dedup's/],
    ['a relative import of the annotation format', "import { formatNotifiedAnnotation } from '../../dedup/src/notified-annotation.ts';\nvoid formatNotifiedAnnotation;\n", 'core/kernel/src/sneaky.ts', /no-restricted-imports: .*core\/dedup's/],
    ['a deep import from a plugin', "import { encodeClaim } from '@herald/core-dedup/src/claim-codec.ts';\nvoid encodeClaim;\n", 'sinks/webhook/src/sneaky.ts', /no-restricted-imports: .*core\/dedup's/],
    ['any other deep import of core/dedup', "import { Dedup } from '@herald/core-dedup/src/dedup.ts';\nvoid Dedup;\n", 'core/kernel/src/sneaky.ts', /no-restricted-imports: .*import @herald\/core-dedup from its index/],
    ['the annotation name built from a string', "export const key = 'notified.notifications.argoproj.io';\n", 'core/evaluator/src/runtime/sneaky.ts', /no-restricted-syntax: the notified annotation is written by core\/dedup only/],
    ['the annotation name built from a template', 'export const key = (prefix: string) => `notified.${prefix}`;\n', 'core/kernel/src/sneaky.ts', /no-restricted-syntax: the notified annotation is written by core\/dedup only/],
  ])('fails on %s', async (_, code, path, rule) => {
    const messages = await lint(code, path);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(rule)]));
    for (const m of messages) expect(m).toMatch(/^no-restricted-(imports|syntax): /);
  });

  it.each([
    ['the public API', "import { Dedup } from '@herald/core-dedup';\nvoid Dedup;\n", 'core/kernel/src/fine.ts'],
    ['the in-memory store for tests', "import { memoryKvStore } from '@herald/core-dedup/testing';\nvoid memoryKvStore;\n", 'core/evaluator/src/runtime/fine.test.ts'],
    ['the codec inside core/dedup', "import { encodeClaim } from './claim-codec.ts';\nexport const key = (prefix: string) => `notified.${prefix}`;\nvoid encodeClaim;\n", 'core/dedup/src/fine.ts'],
    ['a test that reads the annotation', "export const key = 'notified.notifications.argoproj.io';\n", 'test/e2e/src/fine.e2e.test.ts'],
  ])('passes %s', async (_, code, path) => {
    expect(await lint(code, path)).toEqual([]);
  });
});
