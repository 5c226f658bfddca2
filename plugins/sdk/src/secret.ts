import { z } from 'zod';

const secrets = z.registry<{ secret: true }>();

/** Marks a config field as secret: the kernel redacts it in logs, errors and `herald config` output. */
export function secret<T extends z.ZodType>(schema: T): T {
  secrets.add(schema, { secret: true });
  return schema;
}

export function isSecret(schema: z.ZodType): boolean {
  return secrets.has(schema);
}
