import { formatGoLayout, GoDuration, GoTime, parseRfc3339, type HostClock } from '../host/index.ts';
import type { FunctionTable } from './function-types.ts';
import { FunctionError } from './template-errors.ts';

/**
 * sprig's date functions. Go formats `date` in the process's local zone, which is UTC in Argo's
 * containers; Herald always formats in UTC. As in sprig, unix seconds are accepted and nil means now.
 * Herald also accepts RFC 3339 text (Kubernetes timestamps) where sprig would silently use now.
 */

function toTime(value: unknown, clock: HostClock): GoTime {
  if (value instanceof GoTime) return value;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new FunctionError('invalid date');
    return GoTime.fromDate(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new FunctionError(`invalid unix time ${value}`);
    return new GoTime(Math.trunc(value) * 1000);
  }
  if (typeof value === 'string') {
    try {
      return parseRfc3339(value);
    } catch {
      throw new FunctionError(`cannot parse ${JSON.stringify(value)} as an RFC 3339 time`);
    }
  }
  return new GoTime(clock.now().getTime());
}

/** sprig's duration: whole seconds from a number or decimal text; anything else is 0. */
function durationSeconds(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0;
  if (typeof value === 'string' && /^[+-]?[0-9]+$/.test(value)) return Number(value);
  return 0;
}

export const sprigDateFunctions: FunctionTable = {
  now: { params: [], fn: (_args, { clock }) => new GoTime(clock.now().getTime()) },
  date: {
    params: ['string', 'any'],
    fn: ([layout, value], { clock }) => formatGoLayout(toTime(value, clock), layout as string, { utc: true }),
  },
  ago: {
    params: ['any'],
    fn: ([value], { clock }) => {
      const elapsed = new GoTime(clock.now().getTime()).Sub(toTime(value, clock));
      return elapsed.Round(new GoDuration(1e9)).String();
    },
  },
  duration: { params: ['any'], fn: ([value]) => new GoDuration(durationSeconds(value) * 1e9).String() },
};
