import { parseDuration, z } from '@herald/plugin-sdk';

/**
 * A duration option: a Go duration string (the SDK's `parseDuration`, Go's syntax without days, as Argo
 * reads these keys), or a number of milliseconds up to `maxMs`. The bound catches an Argo config that gave a
 * bare number: Go read that as nanoseconds, so 1000000000 meant one second there.
 */
export function duration(maxMs: number) {
  const maxText = maxMs % 3_600_000 === 0 ? `${maxMs / 3_600_000}h` : `${maxMs / 1_000}s`;
  return z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx): number => {
    let ms: number;
    try {
      ms = typeof value === 'number' ? value : parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
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
