import { durationSchema, z } from '@herald/plugin-sdk';

const byteUnits: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/**
 * Milliseconds from a number or a duration string: the SDK's one syntax (Go's, `500ms`, `10s`, `1h30m`,
 * `1.5s`, `250us`), with days as well (`7d`) since retention is written in days.
 */
export const duration = durationSchema({ days: true });

/** Bytes from a number or a size string: `512MiB`, `1GB`. */
export const byteSize = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(value.trim());
  const unit = byteUnits[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a size (use e.g. 1048576, 512MiB, 1GiB)` });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * unit);
});
