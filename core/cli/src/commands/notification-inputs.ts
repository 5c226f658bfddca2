import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { HeraldError } from '@herald/plugin-sdk';
import { parseNotificationConfig } from '@herald/core-evaluator';
import { ConfigError, loadEngineConfig } from '@herald/core-kernel';
import {
  NotificationConfigErrorCodes,
  readConfigMapYaml,
  readSecretYaml,
  variableName,
  type CompiledNotificationConfig,
  type ConfigIssue,
} from '@herald/core-notification-config';

/** Flags shared by the commands that read a notification config from files. */
export interface ConfigFileOptions {
  configMap: string;
  secret?: string;
}

let stdinTaken = false;

/** Reads a file, or stdin for `-` (once per command). */
export function readInput(path: string, what: string): string {
  if (path === '-') {
    if (stdinTaken) throw new HeraldError(NotificationConfigErrorCodes.invalid, `only one input can be read from stdin ("-"); give ${what} as a file`);
    stdinTaken = true;
    return readFileSync(0, 'utf8');
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new HeraldError(NotificationConfigErrorCodes.invalid, `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const shownName = (path: string) => (path === '-' ? '<stdin>' : path);

/**
 * Loads and compiles the ConfigMap (and Secret) files with the engine's own loading code; the config is
 * absent when any issue is an error.
 */
export function loadNotificationConfig(
  options: ConfigFileOptions,
  schemas: { serviceSchemas?: ReadonlyMap<string, z.ZodType>; templateSchemas?: ReadonlyMap<string, z.ZodType>; deliveredServiceTypes?: ReadonlySet<string> } = {},
): CompiledNotificationConfig {
  const cm = readConfigMapYaml(readInput(options.configMap, 'the ConfigMap'), shownName(options.configMap));
  const secrets = options.secret ? readSecretYaml(readInput(options.secret, 'the Secret'), shownName(options.secret)) : {};
  const { serviceSchemas, templateSchemas, deliveredServiceTypes } = schemas;
  return parseNotificationConfig(
    { data: cm.data, secrets, file: cm.file, positions: cm.positions },
    { ...(serviceSchemas ? { serviceSchemas } : {}), ...(templateSchemas ? { templateSchemas } : {}), ...(deliveredServiceTypes ? { deliveredServiceTypes } : {}) },
  );
}

/** Reads a Kubernetes object (YAML or JSON; the first document). */
export function readResource(path: string): Record<string, unknown> {
  const text = readInput(path, 'the resource');
  let value: unknown;
  try {
    // Errors throw; warnings stay off stderr (logLevel 'silent' would swallow both).
    value = parseYaml(text, { logLevel: 'error' });
  } catch (err) {
    throw new HeraldError(NotificationConfigErrorCodes.invalid, `${shownName(path)}: invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HeraldError(NotificationConfigErrorCodes.invalid, `${shownName(path)}: not a Kubernetes object (a mapping with kind and metadata)`);
  }
  return value as Record<string, unknown>;
}

export interface VariableOptions {
  /** `--var`: wins over everything. */
  var?: string;
  /** `--config`: the engine config whose `notifications.variables` the running engine uses. */
  config?: string;
}

/**
 * The object's variable name as the engine gives it (the same function): `--var`, else the engine
 * config's `notifications.variables` (from `--config`, $HERALD_CONFIG or ./herald.yaml), else its
 * lower-case kind.
 */
export function objectVariable(object: Record<string, unknown>, options: VariableOptions): string {
  if (options.var) return options.var;
  const kind = typeof object.kind === 'string' && object.kind ? object.kind : undefined;
  if (!kind) throw new HeraldError(NotificationConfigErrorCodes.invalid, 'the resource has no kind; name its variable with --var');
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return variableName({ group, kind }, engineVariables(options.config));
}

function engineVariables(path: string | undefined): Readonly<Record<string, string>> {
  const file = path ?? process.env.HERALD_CONFIG ?? (existsSync('herald.yaml') ? 'herald.yaml' : undefined);
  if (file === undefined) return {};
  try {
    return loadEngineConfig({ path: file }).notifications.variables;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new HeraldError(NotificationConfigErrorCodes.invalid, `the engine config names objects, and it is not valid (herald config check): ${err.message}`, { cause: err });
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file ? `${issue.file}${issue.line === undefined ? '' : `:${issue.line}`}: ` : '';
  return `${where}${issue.severity}: ${issue.key}: ${issue.message}`;
}
