import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { HeraldError } from '@herald/plugin-sdk';
import { parseNotificationConfig } from '@herald/core-evaluator';
import { ConfigError, loadEngineConfig, resolveEngineConfigPath, type EngineConfig } from '@herald/core-kernel';
import {
  NotificationConfigErrorCodes,
  readConfigMapYaml,
  readSecretYaml,
  variableName,
  type CompiledNotificationConfig,
  type ConfigIssue,
  type ConfigMapData,
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

/** What a notification config is checked with: its sinks' schemas, and what herald.yaml's sources say about the clock. */
export interface ConfigSchemas {
  serviceSchemas?: ReadonlyMap<string, z.ZodType>;
  templateSchemas?: ReadonlyMap<string, z.ZodType>;
  deliveredServiceTypes?: ReadonlySet<string>;
  /** Why objects are evaluated only when they change: a condition reading the clock is warned about (see onChangeOnly). */
  onChangeOnly?: string;
}

/**
 * Loads and compiles the ConfigMap (and Secret) files with the engine's own loading code; the config is
 * absent when any issue is an error.
 */
export function loadNotificationConfig(options: ConfigFileOptions, schemas: ConfigSchemas = {}): CompiledNotificationConfig {
  const cm = readConfigMapYaml(readInput(options.configMap, 'the ConfigMap'), shownName(options.configMap));
  const secrets = options.secret ? readSecretYaml(readInput(options.secret, 'the Secret'), shownName(options.secret)) : {};
  return compileInputs(cm, secrets, schemas);
}

/** Compiles a ConfigMap's data and Secret values read from anywhere (files, the cluster) as the engine does. */
export function compileInputs(cm: ConfigMapData, secrets: Readonly<Record<string, string>>, schemas: ConfigSchemas = {}): CompiledNotificationConfig {
  const { serviceSchemas, templateSchemas, deliveredServiceTypes, onChangeOnly } = schemas;
  return parseNotificationConfig(
    { data: cm.data, secrets, file: cm.file, positions: cm.positions },
    {
      ...(serviceSchemas ? { serviceSchemas } : {}),
      ...(templateSchemas ? { templateSchemas } : {}),
      ...(deliveredServiceTypes ? { deliveredServiceTypes } : {}),
      ...(onChangeOnly ? { onChangeOnly } : {}),
    },
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
}

/** The engine config a command reads (`-c`, $HERALD_CONFIG, ./herald.yaml), and where from; undefined without one. */
export interface EngineConfigFile {
  path: string;
  config: EngineConfig;
}

/**
 * Reads the engine config as `herald run` finds it, for what it says about notifications (their variable
 * names, the ConfigMap and Secret names) and sinks. Throws a HeraldError when it is not valid.
 */
export function readEngineConfig(explicit: string | undefined): EngineConfigFile | undefined {
  const path = resolveEngineConfigPath({ explicit });
  if (path === undefined) return undefined;
  try {
    return { path, config: loadEngineConfig({ path }) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new HeraldError(err.code, `the engine config ${path} is not valid (herald config check): ${err.message}`, { cause: err });
  }
}

/**
 * The object's variable name as the engine gives it (the same function): `--var`, else the engine
 * config's `notifications.variables`, else its lower-case kind.
 */
export function objectVariable(object: Record<string, unknown>, options: VariableOptions, engine: EngineConfigFile | undefined): string {
  if (options.var) return options.var;
  const kind = typeof object.kind === 'string' && object.kind ? object.kind : undefined;
  if (!kind) throw new HeraldError(NotificationConfigErrorCodes.invalid, 'the resource has no kind; name its variable with --var');
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return variableName({ group, kind }, engine?.config.notifications.variables ?? {});
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file ? `${issue.file}${issue.line === undefined ? '' : `:${issue.line}`}: ` : '';
  return `${where}${issue.severity}: ${issue.key}: ${issue.message}`;
}
