import { describe, expect, it } from 'vitest';
import { coreServices, systemClock, type Logger } from '@herald/plugin-sdk';
import type { Bus } from '@herald/core-bus';
import type { Telemetry } from '@herald/core-telemetry';
import { engineConfigSchema } from './config/engine-config.schema.ts';
import { createRootContainer, registerSinkSchemas, tokenFor } from './container.ts';
import { EvaluatorRole } from './roles/evaluator-role.ts';
import { KubeConnection } from './roles/kube-connection.ts';
import { NotificationConfigRole } from './roles/notification-config-role.ts';
import { StateRole } from './roles/state-role.ts';

const logger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => logger };
const parts = () => ({
  config: engineConfigSchema.parse({}),
  roles: ['evaluator', 'sink', 'state'] as const,
  bus: {} as Bus,
  telemetry: {} as Telemetry,
  logger,
});

describe('the root container (composition root)', () => {
  it('builds each core role by constructor injection, once per container', () => {
    const root = createRootContainer(parts());
    registerSinkSchemas(root, { types: new Set(), service: new Map(), template: new Map() });
    const evaluator = root.resolve(EvaluatorRole);
    expect(evaluator).toBeInstanceOf(EvaluatorRole);
    expect(root.resolve(EvaluatorRole)).toBe(evaluator);
    expect(root.resolve(NotificationConfigRole)).toBe(root.resolve(NotificationConfigRole));
    expect(root.resolve(StateRole)).toBe(root.resolve(StateRole));
    expect(root.resolve(KubeConnection)).toBe(root.resolve(KubeConnection));
    // Another root (another Herald in the same process, as in the tests) gets its own graph.
    const other = createRootContainer(parts());
    registerSinkSchemas(other, { types: new Set(), service: new Map(), template: new Map() });
    expect(other.resolve(NotificationConfigRole)).not.toBe(root.resolve(NotificationConfigRole));
  });

  it('refuses to build the notification config before the sinks declared their schemas', () => {
    const root = createRootContainer(parts());
    expect(() => root.resolve(NotificationConfigRole)).toThrow(/herald:kernel\.service-schemas/);
  });

  it('gives plugins the shared clock', () => {
    expect(createRootContainer(parts()).resolve(tokenFor(coreServices.clock))).toBe(systemClock);
  });
});
