import { isSecret, type z } from '@herald/plugin-sdk';
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

/** A copy of `value` with every field marked `secret()` in the schema replaced, for logs and `-o json`. */
export function redactSecrets(schema: z.ZodType, value: unknown): unknown {
  if (isSecret(schema)) return value === undefined ? undefined : '[redacted]';
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return redactSecrets(def.innerType as z.ZodType, value);
    case 'pipe':
      return redactSecrets(def.out as z.ZodType, value);
    case 'object': {
      if (typeof value !== 'object' || value === null) return value;
      const shape = def.shape as Record<string, z.ZodType>;
      const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const [key, field] of Object.entries(shape)) if (key in out) out[key] = redactSecrets(field, out[key]);
      return out;
    }
    case 'array':
      return Array.isArray(value) ? value.map((v) => redactSecrets(def.element as z.ZodType, v)) : value;
    default:
      return value;
  }
}
