import type { z } from 'zod';

// Kept on globalThis under a registered symbol, so a plugin bundling its own copy of the SDK marks secrets
// the kernel still sees.
const key = Symbol.for('herald.plugin-sdk/secrets');
const secrets: WeakSet<object> = ((globalThis as Record<symbol, unknown>)[key] as WeakSet<object> | undefined) ??
  ((globalThis as Record<symbol, unknown>)[key] = new WeakSet<object>());

/** Marks a config field as secret: the kernel redacts it in logs, errors and `herald config check`. */
export function secret<T extends z.ZodType>(schema: T): T {
  secrets.add(schema);
  return schema;
}

export function isSecret(schema: z.ZodType): boolean {
  return secrets.has(schema);
}
