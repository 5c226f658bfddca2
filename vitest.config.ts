import { defineConfig } from 'vitest/config';

const integration = '**/*.int.test.ts';
const e2e = '**/*.e2e.test.ts';
const roots = ['core', 'plugins', 'sources', 'sinks', 'test'].map((d) => `${d}/**/src/**`);

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: roots.map((r) => `${r}/*.test.ts`),
          exclude: ['**/node_modules/**', integration, e2e],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: roots.map((r) => `${r}/*.int.test.ts`),
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each file starts its own servers; two cores are shared by them.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: roots.map((r) => `${r}/*.e2e.test.ts`),
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
