import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run Herald's TypeScript sources: the `herald-source` export condition points each @herald/* package at
// src/ instead of its compiled dist/. Vitest also hands these conditions to its workers' Node (`--conditions`),
// so plugins the kernel loads by name resolve to sources too. Vitest's own default drops `module`.
const conditions = ['herald-source', ...defaultServerConditions.filter((c) => c !== 'module')];

const integration = '**/*.int.test.ts';
const e2e = '**/*.e2e.test.ts';
const deploy = '**/*.deploy.test.ts';
const roots = ['core', 'plugins', 'sources', 'sinks', 'test'].map((d) => `${d}/**/src/**`);

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: roots.map((r) => `${r}/*.test.ts`),
          exclude: ['**/node_modules/**', integration, e2e, deploy],
          // Property tests run thousands of cases (under a second here); on two cores shared with other builds
          // they took over vitest's default 5 s. A unit test that hangs still fails, 20 s later.
          testTimeout: 20_000,
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
