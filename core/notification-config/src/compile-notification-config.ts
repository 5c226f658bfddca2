import type { z } from 'zod';
import type { Logger } from '@herald/plugin-sdk';
import type { ConfigCompilers } from './compilers.ts';
import type { ConfigIssue, NotificationConfig, SecretSource } from './notification-config.ts';
import { NotificationConfigService, type NotificationConfigInput } from './notification-config-service.ts';

export interface CompileNotificationConfigOptions {
  compilers: ConfigCompilers;
  serviceSchemas?: ReadonlyMap<string, z.ZodType>;
  templateSchemas?: ReadonlyMap<string, z.ZodType>;
  /** Service types a loaded sink delivers; other `service.*` parts are refused (see NotificationConfigServiceOptions). */
  deliveredServiceTypes?: ReadonlySet<string>;
  /** Where the Secret lives, named in the services' secret references. */
  secretSource?: SecretSource;
  /** Why objects are evaluated only when they change, if they are: a condition reading the clock is warned about (see NotificationConfigServiceOptions). */
  onChangeOnly?: string;
}

export interface CompiledNotificationConfig {
  /** Absent when any issue is an error: what the CLI and tests want to hear about. */
  config: NotificationConfig | undefined;
  /** Every problem, with its key (and file and line when the input came from a file). */
  issues: ConfigIssue[];
}

/**
 * Reads and compiles a whole config at once, with the engine's own code (NotificationConfigService): for
 * the CLI and tests. Nothing throws; every problem is an issue naming its key.
 */
export function compileNotificationConfig(input: NotificationConfigInput, options: CompileNotificationConfigOptions): CompiledNotificationConfig {
  const service = new NotificationConfigService({ ...options, origin: input.file ?? 'the notification config', logger: quiet, eager: true });
  const issues = service.reload(input);
  return { config: issues.some((i) => i.severity === 'error') ? undefined : service.current(), issues };
}

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
