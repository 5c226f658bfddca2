import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { HeraldError } from '@herald/plugin-sdk';
import {
  EvaluatorErrorCodes,
  parseNotificationConfig,
  readConfigMapYaml,
  readSecretYaml,
  type ConfigIssue,
  type ParsedNotificationConfig,
} from '@herald/core-evaluator';

/** Flags shared by the commands that read a notification config from files. */
export interface ConfigFileOptions {
  configMap: string;
  secret?: string;
}

let stdinTaken = false;

/** Reads a file, or stdin for `-` (once per command). */
export function readInput(path: string, what: string): string {
  if (path === '-') {
    if (stdinTaken) throw new HeraldError(EvaluatorErrorCodes.notificationConfig, `only one input can be read from stdin ("-"); give ${what} as a file`);
    stdinTaken = true;
    return readFileSync(0, 'utf8');
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new HeraldError(EvaluatorErrorCodes.notificationConfig, `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const shownName = (path: string) => (path === '-' ? '<stdin>' : path);

/** Loads and compiles the ConfigMap (and Secret) files; the config is absent when any issue is an error. */
export function loadNotificationConfig(options: ConfigFileOptions): ParsedNotificationConfig {
  const cm = readConfigMapYaml(readInput(options.configMap, 'the ConfigMap'), shownName(options.configMap));
  const secrets = options.secret ? readSecretYaml(readInput(options.secret, 'the Secret'), shownName(options.secret)) : {};
  return parseNotificationConfig({ data: cm.data, secrets, file: cm.file, positions: cm.positions });
}

/** Reads a Kubernetes object (YAML or JSON; the first document). */
export function readResource(path: string): Record<string, unknown> {
  const text = readInput(path, 'the resource');
  let value: unknown;
  try {
    value = parseYaml(text, { logLevel: 'silent' });
  } catch (err) {
    throw new HeraldError(EvaluatorErrorCodes.notificationConfig, `${shownName(path)}: invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HeraldError(EvaluatorErrorCodes.notificationConfig, `${shownName(path)}: not a Kubernetes object (a mapping with kind and metadata)`);
  }
  return value as Record<string, unknown>;
}

/** The object's variable name: `--var`, else its lower-case kind (`Pod` → `pod`). */
export function variableName(object: Record<string, unknown>, override: string | undefined): string {
  if (override) return override;
  const kind = typeof object.kind === 'string' && object.kind ? object.kind : undefined;
  if (!kind) throw new HeraldError(EvaluatorErrorCodes.notificationConfig, 'the resource has no kind; name its variable with --var');
  return kind.toLowerCase();
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file ? `${issue.file}${issue.line === undefined ? '' : `:${issue.line}`}: ` : '';
  return `${where}${issue.severity}: ${issue.key}: ${issue.message}`;
}
