import type { z } from 'zod';
import { compileNotificationConfig, type CompiledNotificationConfig, type NotificationConfigInput, type SecretSource } from '@herald/core-notification-config';
import type { HostClock } from '../host/index.ts';
import { configCompilers } from './config-compilers.ts';

export interface ParseNotificationConfigOptions {
  /** Options schema of each service type a sink is loaded for; service entries are checked against it. */
  serviceSchemas?: ReadonlyMap<string, z.ZodType>;
  /** Service types a loaded sink delivers; other `service.*` parts are refused. Unset: every type is taken. */
  deliveredServiceTypes?: ReadonlySet<string>;
  /** Template-block schema of each service type whose sink declares one. */
  templateSchemas?: ReadonlyMap<string, z.ZodType>;
  /** Where the Secret lives, named in the services' secret references. */
  secretSource?: SecretSource;
  /** Why objects are evaluated only when they change, if they are: a condition reading the clock is warned about. */
  onChangeOnly?: string;
  /** Clock of `time.Now()` / `now` (tests). */
  clock?: HostClock;
}

/**
 * Parses and compiles a whole notification config with the evaluator's expression and template languages
 * (the engine's own loading code, see @herald/core-notification-config). Every problem is reported with the
 * key it is in; nothing throws; the config is absent when any issue is an error.
 */
export function parseNotificationConfig(input: NotificationConfigInput, options: ParseNotificationConfigOptions = {}): CompiledNotificationConfig {
  const { clock, ...schemas } = options;
  return compileNotificationConfig(input, { ...schemas, compilers: configCompilers(clock) });
}
