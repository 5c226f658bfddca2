import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Which project may import which (Nx tags in each package.json). Tests may also use test utilities.
const boundaries = (extra = []) => [
  { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: ['type:sdk'] },
  { sourceTag: 'type:kernel', onlyDependOnLibsWithTags: ['type:kernel', 'type:sdk', 'type:util', ...extra] },
  { sourceTag: 'type:source', onlyDependOnLibsWithTags: ['type:sdk', 'type:util'] },
  { sourceTag: 'type:sink', onlyDependOnLibsWithTags: ['type:sdk', 'type:util'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:sdk', 'type:util', ...extra] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['*'] },
];

// Only core/dedup reads or writes dedup claims and the `notified` annotation: its codec and the annotation's
// format are not exported, and nothing else may reach them by a deep import or build the annotation's name.
const dedupInternals = [
  { regex: '(^|/)(claim-codec|notified-annotation)(\\.ts)?$', message: 'claims and the notified annotation are core/dedup\'s: use Dedup (claim, release, settle, adopt, retakeForRetry)' },
  { regex: '^@herald/core-dedup/(?!testing$)', message: 'import @herald/core-dedup from its index' },
];
const dedupAnnotation = [
  { selector: 'Literal[value=/^notified\\./]', message: 'the notified annotation is written by core/dedup only (its name: Dedup.annotation)' },
  { selector: 'TemplateLiteral[quasis.0.value.raw=/^notified\\./]', message: 'the notified annotation is written by core/dedup only (its name: Dedup.annotation)' },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.nx/**', 'test/controlplane/**', 'deploy/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { depConstraints: boundaries(), enforceBuildableLibDependency: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.test.ts', '**/__fixtures__/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { depConstraints: boundaries(['type:util', 'type:source', 'type:sink']), enforceBuildableLibDependency: false }],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['core/dedup/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: dedupInternals }] },
  },
  {
    // Tests and scripts may name the annotation to read it or to play Argo; sources may not.
    files: ['**/*.ts'],
    ignores: ['core/dedup/**', '**/*.test.ts', '**/__fixtures__/**', 'test/**', 'scripts/**'],
    rules: { 'no-restricted-syntax': ['error', ...dedupAnnotation] },
  },
  {
    // The dependency-injection container stays inside core/; plugins get services through `deps`.
    files: ['plugins/**/*.ts', 'sources/**/*.ts', 'sinks/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'tsyringe', message: 'plugins never see the DI container: ask for services in deps' }], patterns: dedupInternals }],
    },
  },
  { files: ['scripts/**/*.ts', 'test/bench/**/*.ts'], rules: { 'no-console': 'off' } },
);
