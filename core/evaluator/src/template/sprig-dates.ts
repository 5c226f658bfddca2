import { formatGoLayout, formatZoned, GoDuration, GoTime, parseGoDuration, parseGoLayout, parseRfc3339, type HostClock } from '../host/index.ts';
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

/** Go's zero time, which sprig's toDate gives for text it cannot parse. */
const ZERO_TIME = parseRfc3339('0001-01-01T00:00:00Z');

function toDate(layout: string, text: string, must: boolean): GoTime {
  try {
    return parseGoLayout(layout, text);
  } catch (error) {
    if (must) throw new FunctionError((error as Error).message);
    return ZERO_TIME;
  }
}

/** An IANA zone's offset and abbreviation at an instant; UTC for `Local`, `UTC` and zones this runtime does not know, as sprig falls back to UTC. */
function zoneAt(ms: number, zone: string): { offsetSeconds: number; name: string } {
  if (zone === '' || zone === 'UTC' || zone === 'Local') return { offsetSeconds: 0, name: 'UTC' };
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(ms);
    const offset = /GMT([+-])(\d{2}):(\d{2})/.exec(parts.find((p) => p.type === 'timeZoneName')?.value ?? '');
    const offsetSeconds = offset === null ? 0 : (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 3600 + Number(offset[3]) * 60);
    const short = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' }).formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
    return { offsetSeconds, name: short.startsWith('GMT') ? '' : short };
  } catch {
    return { offsetSeconds: 0, name: 'UTC' };
  }
}

function dateInZone(layout: string, value: unknown, zone: string, clock: HostClock): string {
  const ms = toTime(value, clock).UnixMilli();
  const { offsetSeconds, name } = zoneAt(ms, zone);
  return formatZoned(ms, offsetSeconds, name, layout);
}

/** sprig's durationRound: the largest whole unit (y = 365d, mo = 30d, d, h, m, s) of a duration, text or time since. */
function durationRound(value: unknown, clock: HostClock): string {
  let ns = 0;
  if (typeof value === 'string') {
    try {
      ns = parseGoDuration(value).Nanoseconds();
    } catch {
      ns = 0;
    }
  } else if (typeof value === 'number') ns = Math.trunc(value);
  else if (value instanceof GoDuration) ns = value.Nanoseconds();
  else if (value instanceof GoTime) ns = new GoTime(clock.now().getTime()).Sub(value).Nanoseconds();
  const u = Math.abs(ns);
  const second = 1e9;
  const units: [number, string][] = [[365 * 86400 * second, 'y'], [30 * 86400 * second, 'mo'], [86400 * second, 'd'], [3600 * second, 'h'], [60 * second, 'm'], [second, 's']];
  for (const [size, unit] of units) if (u > size) return `${Math.floor(u / size)}${unit}`;
  return '0s';
}

function dateModify(modification: string, time: GoTime, must: boolean): GoTime {
  try {
    return time.Add(parseGoDuration(modification));
  } catch (error) {
    if (must) throw new FunctionError((error as Error).message);
    return time;
  }
}

function time(value: unknown): GoTime {
  if (!(value instanceof GoTime)) throw new FunctionError(`wrong type for value; expected time.Time; got ${value === null || value === undefined ? '<nil>' : typeof value}`);
  return value;
}

export const sprigDateFunctions: FunctionTable = {
  toDate: { params: ['string', 'string'], fn: ([layout, text]) => toDate(layout as string, text as string, false) },
  mustToDate: { params: ['string', 'string'], fn: ([layout, text]) => toDate(layout as string, text as string, true) },
  dateInZone: { params: ['string', 'any', 'string'], fn: ([layout, value, zone], { clock }) => dateInZone(layout as string, value, zone as string, clock) },
  date_in_zone: { params: ['string', 'any', 'string'], fn: ([layout, value, zone], { clock }) => dateInZone(layout as string, value, zone as string, clock) },
  htmlDate: { params: ['any'], fn: ([value], { clock }) => dateInZone('2006-01-02', value, 'UTC', clock) },
  htmlDateInZone: { params: ['any', 'string'], fn: ([value, zone], { clock }) => dateInZone('2006-01-02', value, zone as string, clock) },
  unixEpoch: { params: ['any'], fn: ([value]) => String(time(value).Unix()) },
  dateModify: { params: ['string', 'any'], fn: ([modification, value]) => dateModify(modification as string, time(value), false) },
  date_modify: { params: ['string', 'any'], fn: ([modification, value]) => dateModify(modification as string, time(value), false) },
  mustDateModify: { params: ['string', 'any'], fn: ([modification, value]) => dateModify(modification as string, time(value), true) },
  must_date_modify: { params: ['string', 'any'], fn: ([modification, value]) => dateModify(modification as string, time(value), true) },
  durationRound: { params: ['any'], fn: ([value], { clock }) => durationRound(value, clock) },
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
