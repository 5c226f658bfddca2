import { defineConfig } from 'vitest/config';

const integration = '**/*.int.test.ts';
const e2e = '**/*.e2e.test.ts';
const deploy = '**/*.deploy.test.ts';
const roots = ['core', 'plugins', 'sources', 'sinks', 'test'].map((d) => `${d}/**/src/**`);

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: roots.map((r) => `${r}/*.test.ts`),
          exclude: ['**/node_modules/**', integration, e2e, deploy],
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
      {
        extends: true,
        test: {
          name: 'deploy',
          // The container image and the docker compose stack: scripts/dev test deploy builds the image first.
          include: roots.map((r) => `${r}/*.deploy.test.ts`),
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
