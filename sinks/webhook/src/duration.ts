import { z } from '@herald/plugin-sdk';

// Go's time.ParseDuration units, in milliseconds.
const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const component = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Milliseconds from a Go duration string (`"1s"`, `"500ms"`, `"1h30m"`, `"1.5s"`, `"0"`), rounded to whole
 * milliseconds; undefined when the text is no duration or is negative.
 */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim().replace(/^\+/, '');
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  component.lastIndex = 0;
  while (component.lastIndex < s.length) {
    const match = component.exec(s);
    if (!match) return undefined;
    total += Number(match[1]) * unitMs[match[2]!]!;
  }
  return Math.round(total);
}

/**
 * A duration option: a Go duration string, or a number of milliseconds up to `maxMs`. The bound catches an
 * Argo config that gave a bare number: Go read that as nanoseconds, so 1000000000 meant one second there.
 */
export function duration(maxMs: number) {
  const maxText = maxMs % 3_600_000 === 0 ? `${maxMs / 3_600_000}h` : `${maxMs / 1_000}s`;
  return z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx): number => {
    const ms = typeof value === 'number' ? value : parseGoDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (use e.g. "500ms", "1s", "2m")` });
      return z.NEVER;
    }
    if (ms > maxMs) {
      const hint = typeof value === 'number' ? ' (a number is milliseconds; Argo read bare numbers as nanoseconds, so write a duration string such as "1s")' : '';
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is longer than ${maxText}${hint}` });
      return z.NEVER;
    }
    return ms;
  });
}
