import { z } from 'zod';

/** What `secret()` attaches to a schema: it also shows in the schema's JSON Schema (`z.toJSONSchema`). */
export interface SecretMeta {
  'x-herald-secret': true;
}

// A zod registry kept on globalThis under a registered symbol, so a plugin bundling its own copy of the SDK
// marks secrets the kernel still sees.
const key = Symbol.for('herald.plugin-sdk/secret-registry');
const holder = globalThis as Record<symbol, unknown>;

/** The registry of schemas marked `secret()`; pass it as `metadata` to `z.toJSONSchema` to see the marks. */
export const secretRegistry: z.core.$ZodRegistry<SecretMeta> = (holder[key] as z.core.$ZodRegistry<SecretMeta> | undefined) ?? (holder[key] = z.registry<SecretMeta>()) as z.core.$ZodRegistry<SecretMeta>;

/** Marks a config field as secret: the kernel redacts it in logs, errors and `herald config check`. */
export function secret<T extends z.ZodType>(schema: T): T {
  secretRegistry.add(schema, { 'x-herald-secret': true });
  return schema;
}

export function isSecret(schema: z.ZodType): boolean {
  return secretRegistry.get(schema)?.['x-herald-secret'] === true;
}
