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
    // The dependency-injection container stays inside core/; plugins get services through `deps`.
    files: ['plugins/**/*.ts', 'sources/**/*.ts', 'sinks/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'tsyringe', message: 'plugins never see the DI container: ask for services in deps' }] }] },
  },
  { files: ['scripts/**/*.ts', 'test/bench/**/*.ts'], rules: { 'no-console': 'off' } },
);
