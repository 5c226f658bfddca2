import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { coreServices, systemClock, type Logger } from '@herald/plugin-sdk';
import type { Bus } from '@herald/core-bus';
import type { Telemetry } from '@herald/core-telemetry';
import { engineConfigSchema } from './config/engine-config.schema.ts';
import { createRootContainer, registerCoreRoles, registerSinkSchemas, tokenFor } from './container.ts';
import { EvaluatorRole } from './roles/evaluator-role.ts';
import { KubeConnection } from './roles/kube-connection.ts';
import { NotificationConfigRole } from './roles/notification-config-role.ts';
import { StateRole } from './roles/state-role.ts';

// Fresh Node processes, each loading Herald from sources: seconds on a loaded machine.
const childProcessTimeout = 60_000;

const logger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => logger };
const parts = () => ({
  config: engineConfigSchema.parse({}),
  roles: ['evaluator', 'sink', 'state'] as const,
  bus: {} as Bus,
  telemetry: {} as Telemetry,
  logger,
});

describe('the root container (composition root)', () => {
  it('builds each core role by constructor injection, once per container', async () => {
    const root = createRootContainer(parts());
    await registerCoreRoles(root, parts().roles);
    registerSinkSchemas(root, { types: new Set(), service: new Map(), template: new Map() });
    const evaluator = root.resolve(EvaluatorRole);
    expect(evaluator).toBeInstanceOf(EvaluatorRole);
    expect(root.resolve(EvaluatorRole)).toBe(evaluator);
    expect(root.resolve(NotificationConfigRole)).toBe(root.resolve(NotificationConfigRole));
    expect(root.resolve(StateRole)).toBe(root.resolve(StateRole));
    expect(root.resolve(KubeConnection)).toBe(root.resolve(KubeConnection));
    // Another root (another Herald in the same process, as in the tests) gets its own graph.
    const other = createRootContainer(parts());
    await registerCoreRoles(other, parts().roles);
    registerSinkSchemas(other, { types: new Set(), service: new Map(), template: new Map() });
    expect(other.resolve(NotificationConfigRole)).not.toBe(root.resolve(NotificationConfigRole));
  });

  it('refuses to build the notification config before the sinks declared their schemas', async () => {
    const root = createRootContainer(parts());
    await registerCoreRoles(root, parts().roles);
    expect(() => root.resolve(NotificationConfigRole)).toThrow(/herald:kernel\.service-schemas/);
  });

  it('imports only the core roles the process runs: a source-only process never loads the evaluator or dedup', () => {
    expect(packagesLoadedFor(['source'])).not.toEqual(expect.arrayContaining([expect.stringMatching(/core\/(evaluator|dedup|notification-config)/)]));
    expect(packagesLoadedFor(['state'])).not.toContain('core/evaluator');
    expect(packagesLoadedFor(['evaluator'])).toEqual(expect.arrayContaining(['core/evaluator', 'core/dedup', 'core/notification-config']));
  }, childProcessTimeout);

  it('gives plugins the shared clock', () => {
    expect(createRootContainer(parts()).resolve(tokenFor(coreServices.clock))).toBe(systemClock);
  });
});

/** The Herald packages (`core/evaluator`, …) a fresh process loads to register the core roles of `roles` (this one has loaded all of them). */
function packagesLoadedFor(roles: readonly string[]): string[] {
  const hook = `import { registerHooks } from 'node:module';
    registerHooks({ resolve(s, c, next) { const r = next(s, c); const m = /\\/(core|plugins)\\/([a-z-]+)\\/src\\//.exec(r.url); if (m) process.stderr.write('loaded ' + m[1] + '/' + m[2] + '\\n'); return r; } });`;
  const script = `const { createRootContainer, registerCoreRoles } = await import('./container.ts');
    const root = createRootContainer({ config: {}, roles: ${JSON.stringify(roles)}, bus: {}, telemetry: {}, logger: {} });
    await registerCoreRoles(root, ${JSON.stringify(roles)});`;
  const child = spawnSync(process.execPath, ['--conditions=herald-source', '--import', `data:text/javascript,${encodeURIComponent(hook)}`, '--input-type=module', '-e', script], { cwd: import.meta.dirname, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  return [...new Set(child.stderr.split('\n').filter((l) => l.startsWith('loaded ')).map((l) => l.slice('loaded '.length)))];
}
