import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isMap, isSeq, LineCounter, parse as parseYamlValue, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, KernelErrorCodes } from '../errors.ts';
import { engineConfigSchema, type EngineConfig } from './engine-config.schema.ts';
import { formatKeyPath } from './key-path.ts';

const overrides = new WeakMap<object, ReadonlyMap<string, string>>();

/**
 * The environment overrides a loaded config received, by key path (`plugins[0].options.token`), as written.
 * Plugin options are validated later by each plugin's schema, which uses this to read `0123` as text where
 * it wants a string.
 */
export function envOverridesOf(config: EngineConfig): ReadonlyMap<string, string> {
  return overrides.get(config) ?? new Map();
}

/** Environment variables starting with this override herald.yaml: `HERALD__NATS__SERVERS='[nats://a:4222]'`. */
export const ENV_PREFIX = 'HERALD__';

export interface LoadEngineConfigOptions {
  /** herald.yaml; absent means defaults plus environment overrides. */
  path?: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads, overrides and validates the engine config. Every problem is reported with its key path and origin. */
export function loadEngineConfig(options: LoadEngineConfigOptions = {}): EngineConfig {
  const label = options.path ? basename(options.path) : 'engine config';
  let text = '';
  if (options.path) {
    try {
      text = readFileSync(options.path, 'utf8');
    } catch (cause) {
      throw new ConfigError([`${options.path}: cannot read: ${(cause as Error).message}`], { cause, code: KernelErrorCodes.configUnreadable });
    }
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(doc.errors.map((e) => `${label}:${e.linePos?.[0].line ?? '?'}:${e.linePos?.[0].col ?? '?'}: ${e.message.split('\n')[0]}`));
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) {
    throw new ConfigError([`${label}: the document must be a mapping of keys, not ${Array.isArray(raw) ? 'a list' : typeof raw}`]);
  }
  const fromEnv = applyEnvOverrides(raw as Record<string, unknown>, options.env ?? process.env);
  let parsed = engineConfigSchema.safeParse(raw);
  // `HERALD__NATS__AUTH__TOKEN=0123` reads as a number; where a string is wanted, take the text as written.
  const asText = parsed.success ? [] : parsed.error.issues.filter((i) => i.code === 'invalid_type' && i.expected === 'string' && fromEnv.has(formatKeyPath(i.path)));
  if (asText.length) {
    for (const issue of asText) setPath(raw as Record<string, unknown>, issue.path, (options.env ?? process.env)[fromEnv.get(formatKeyPath(issue.path))!]);
    parsed = engineConfigSchema.safeParse(raw);
  }
  if (parsed.success) {
    const env = options.env ?? process.env;
    overrides.set(parsed.data, new Map([...fromEnv].map(([path, name]) => [path, env[name]!])));
    return parsed.data;
  }
  throw new ConfigError(parsed.error.issues.flatMap((issue) => describeIssue(issue, { label, doc, lines, fromEnv })));
}

interface Origin {
  label: string;
  doc: Document;
  lines: LineCounter;
  fromEnv: Map<string, string>;
}

function describeIssue(issue: z.core.$ZodIssue, origin: Origin): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${where([...issue.path, key], origin)}: ${formatKeyPath([...issue.path, key])}: unknown key`);
  }
  return [`${where(issue.path, origin)}: ${formatKeyPath(issue.path)}: ${issue.message}`];
}

/** `herald.yaml:4:3`, or the environment variable that set the key. */
function where(path: readonly PropertyKey[], { label, doc, lines, fromEnv }: Origin): string {
  for (let i = path.length; i > 0; i--) {
    const envVar = fromEnv.get(formatKeyPath(path.slice(0, i)));
    if (envVar) return `env ${envVar}`;
  }
  for (let i = path.length; i > 0; i--) {
    const node = doc.getIn(path.slice(0, i) as unknown[], true) as { range?: [number, number, number] } | undefined;
    const keyNode = findKeyNode(doc, path.slice(0, i));
    const offset = keyNode?.range?.[0] ?? node?.range?.[0];
    if (offset !== undefined) {
      const { line, col } = lines.linePos(offset);
      return `${label}:${line}:${col}`;
    }
  }
  return label;
}

function findKeyNode(doc: Document, path: readonly PropertyKey[]): { range?: [number, number, number] } | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1) as unknown[], true) : doc.contents;
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === last);
    return pair?.key as { range?: [number, number, number] } | undefined;
  }
  if (isSeq(parent) && typeof last === 'number') return parent.items[last] as { range?: [number, number, number] } | undefined;
  return undefined;
}

/**
 * `HERALD__NATS__STREAMS__EVENTS__MAX_AGE=12h` sets nats.streams.events.maxAge: `__` separates keys,
 * SCREAMING_SNAKE becomes camelCase, digits index lists, and the value is read as YAML (`[a, b]`, `5`, `true`).
 */
function applyEnvOverrides(target: Record<string, unknown>, env: NodeJS.ProcessEnv): Map<string, string> {
  const applied = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path: Array<string | number> = name
      .slice(ENV_PREFIX.length)
      .split('__')
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : camel(segment)));
    let node: Record<string | number, unknown> = target;
    for (const [i, key] of path.entries()) {
      if (i === path.length - 1) {
        node[key] = parseEnvValue(value);
      } else {
        const next = node[key];
        node[key] = typeof next === 'object' && next !== null ? next : typeof path[i + 1] === 'number' ? [] : {};
        node = node[key] as Record<string | number, unknown>;
      }
    }
    applied.set(formatKeyPath(path), name);
  }
  return applied;
}

function camel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Lists, maps, numbers and booleans are read as YAML; anything else stays the text as written (`abc #1`). */
function parseEnvValue(value: string): unknown {
  try {
    const parsed = parseYamlValue(value) as unknown;
    return typeof parsed === 'string' || parsed === null ? value : parsed;
  } catch {
    return value;
  }
}

function setPath(target: Record<string | number, unknown>, path: readonly PropertyKey[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key as string] as Record<string | number, unknown>;
  node[path[path.length - 1] as string] = value;
}
