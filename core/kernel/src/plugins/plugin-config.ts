import { secretRegistry, z, type SecretMeta } from '@herald/plugin-sdk';
import { formatKeyPath } from '../config/key-path.ts';
import { KernelErrorCodes, PluginError } from '../errors.ts';

/**
 * Validates a plugin's options with its schema; the error names every bad key under `plugins[i].options`.
 * `envText` holds environment overrides as written: where the schema wants a string, `0123` or `true`
 * from the environment is taken as that text.
 */
export function validatePluginConfig(pluginId: string, entryIndex: number, schema: z.ZodType, options: unknown, envText: ReadonlyMap<string, string> = new Map()): unknown {
  const base = ['plugins', entryIndex, 'options'] as const;
  let parsed = schema.safeParse(options);
  const asText = parsed.success ? [] : parsed.error.issues.filter((i) => i.code === 'invalid_type' && i.expected === 'string' && envText.has(formatKeyPath([...base, ...i.path])));
  if (asText.length) {
    const copy = structuredClone(options) as Record<PropertyKey, unknown>;
    for (const issue of asText) {
      let node = copy;
      for (const key of issue.path.slice(0, -1)) node = node[key as string] as Record<PropertyKey, unknown>;
      node[issue.path[issue.path.length - 1] as string] = envText.get(formatKeyPath([...base, ...issue.path]));
    }
    parsed = schema.safeParse(copy);
  }
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${formatKeyPath([...base, ...issue.path, key])}: unknown key`)
      : [`${formatKeyPath([...base, ...issue.path])}: ${issue.message}`],
  );
  throw new PluginError(pluginId, KernelErrorCodes.pluginConfig, `invalid options: ${issues.join('; ')}`);
}

type JsonSchema = { [key: string]: unknown };
const REDACTED = '[redacted]';
const secretMark: keyof SecretMeta = 'x-herald-secret';

/**
 * A copy of `value` with every field marked `secret()` in the schema replaced, for logs and `-o json`.
 * The schema is read through zod's public JSON Schema export, where `secret()` leaves its registry mark:
 * nothing here depends on how zod stores a schema.
 */
export function redactSecrets(schema: z.ZodType, value: unknown): unknown {
  let root: JsonSchema;
  try {
    root = z.toJSONSchema(schema, { metadata: secretRegistry, io: 'output', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    // A schema zod cannot describe: hiding everything is the safe way to be wrong.
    return value === undefined ? undefined : REDACTED;
  }
  return redactBy(root, root, value);
}

function redactBy(root: JsonSchema, node: JsonSchema, value: unknown): unknown {
  if (value === undefined) return undefined;
  const ref = typeof node.$ref === 'string' ? resolveRef(root, node.$ref) : undefined;
  if (ref) return redactBy(root, ref, value);
  if (node[secretMark] === true) return REDACTED;
  // A union or intersection: every branch the value's JSON type fits redacts it, so a secret stays hidden
  // whichever branch the value took.
  const branches = [node.anyOf, node.oneOf, node.allOf].flatMap((b) => (Array.isArray(b) ? (b as JsonSchema[]) : []));
  let out: unknown = value;
  for (const branch of branches) {
    if (!hasTypeOf(branch, out)) continue;
    out = redactBy(root, branch, out);
    if (out === REDACTED) return out;
  }
  if (Array.isArray(out)) {
    const prefix = Array.isArray(node.prefixItems) ? (node.prefixItems as JsonSchema[]) : [];
    const items = isSchema(node.items) ? node.items : undefined;
    return out.map((item, i) => {
      const itemSchema = prefix[i] ?? items;
      return itemSchema ? redactBy(root, itemSchema, item) : item;
    });
  }
  if (typeof out === 'object' && out !== null) {
    const properties = isSchema(node.properties) ? (node.properties as Record<string, JsonSchema>) : {};
    const rest = isSchema(node.additionalProperties) ? node.additionalProperties : undefined;
    const copy: Record<string, unknown> = { ...(out as Record<string, unknown>) };
    for (const [k, v] of Object.entries(copy)) {
      const fieldSchema = Object.hasOwn(properties, k) ? properties[k] : rest;
      if (fieldSchema) copy[k] = redactBy(root, fieldSchema, v);
    }
    return copy;
  }
  return out;
}

const jsonTypes: Record<string, (value: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
  array: (v) => Array.isArray(v),
  object: (v) => isSchema(v),
};

function hasTypeOf(node: JsonSchema, value: unknown): boolean {
  const types = typeof node.type === 'string' ? [node.type] : Array.isArray(node.type) ? (node.type as string[]) : undefined;
  return types === undefined || types.some((t) => jsonTypes[t]?.(value) ?? true);
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `#` or `#/$defs/<name>`: the only references zod's export writes. */
function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (ref === '#') return root;
  const name = /^#\/\$defs\/(.+)$/.exec(ref)?.[1];
  const defs = root.$defs;
  return name !== undefined && isSchema(defs) && isSchema(defs[name]) ? (defs[name] as JsonSchema) : undefined;
}
