import { z } from 'zod';

const durationUnits: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const byteUnits: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** Milliseconds from a number or a Go-style duration string: `500ms`, `10s`, `1h30m`, `7d`. */
export const duration = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const parts = [...value.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== value.trim()) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (use e.g. 500ms, 10s, 5m, 24h, 7d)` });
    return z.NEVER;
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * durationUnits[p[2]!]!, 0);
});

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
