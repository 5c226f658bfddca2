/**
 * Go's `time.Duration`: a signed count of nanoseconds. Held in a JS number, so it is exact up to 2^53 ns
 * (about 104 days); longer durations lose nanosecond precision, not magnitude.
 */
export class GoDuration {
  readonly #ns: number;

  constructor(nanoseconds: number) {
    if (!Number.isFinite(nanoseconds)) throw new RangeError(`invalid duration: ${String(nanoseconds)} nanoseconds`);
    // `+ 0` folds -0 into 0 so String() never prints "-0s".
    this.#ns = Math.trunc(nanoseconds) + 0;
    Object.freeze(this);
  }

  Nanoseconds(): number {
    return this.#ns;
  }

  Microseconds(): number {
    return Math.trunc(this.#ns / 1e3);
  }

  Milliseconds(): number {
    return Math.trunc(this.#ns / 1e6);
  }

  Seconds(): number {
    return this.#ns / 1e9;
  }

  Minutes(): number {
    return this.#ns / 6e10;
  }

  Hours(): number {
    return this.#ns / 3.6e12;
  }

  Abs(): GoDuration {
    return this.#ns < 0 ? new GoDuration(-this.#ns) : this;
  }

  /** Rounds half away from zero to a multiple of `m`, as Go does; `m <= 0` returns the duration unchanged. */
  Round(m: GoDuration): GoDuration {
    const unit = durationArg(m, 'Round');
    if (unit <= 0) return this;
    const rest = this.#ns % unit;
    const down = this.#ns - rest;
    if (Math.abs(rest) * 2 < unit) return new GoDuration(down);
    return new GoDuration(this.#ns < 0 ? down - unit : down + unit);
  }

  /** Rounds toward zero to a multiple of `m`; `m <= 0` returns the duration unchanged. */
  Truncate(m: GoDuration): GoDuration {
    const unit = durationArg(m, 'Truncate');
    return unit <= 0 ? this : new GoDuration(this.#ns - (this.#ns % unit));
  }

  /** Go's format: `1h2m3.5s`, `1.5ms`, `0s`. */
  String(): string {
    return formatDuration(this.#ns);
  }

  valueOf(): number {
    return this.#ns;
  }

  toString(): string {
    return this.String();
  }

  toJSON(): string {
    return this.String();
  }
}

function durationArg(value: unknown, method: string): number {
  if (!(value instanceof GoDuration)) throw new TypeError(`Duration.${method} expects a duration`);
  return value.Nanoseconds();
}

/** Digits of `value` with its last `precision` places as a fraction, trailing zeros (and a bare dot) dropped. */
function withFraction(value: number, precision: number): string {
  const scale = 10 ** precision;
  const whole = Math.floor(value / scale);
  const fraction = String(value - whole * scale).padStart(precision, '0').replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}

function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  const u = Math.abs(ns);
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${withFraction(u, 3)}µs`;
  if (u < 1e9) return `${sign}${withFraction(u, 6)}ms`;
  const totalSeconds = Math.floor(u / 1e9);
  const seconds = `${withFraction((totalSeconds % 60) * 1e9 + (u - totalSeconds * 1e9), 9)}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes === 0) return sign + seconds;
  const hours = Math.floor(totalMinutes / 60);
  const minutes = `${totalMinutes % 60}m${seconds}`;
  return sign + (hours === 0 ? minutes : `${hours}h${minutes}`);
}

const UNITS: ReadonlyMap<string, number> = new Map([
  ['ns', 1],
  ['us', 1e3],
  ['\u00b5s', 1e3], // micro sign
  ['\u03bcs', 1e3], // Greek mu
  ['ms', 1e6],
  ['s', 1e9],
  ['m', 6e10],
  ['h', 3.6e12],
]);
const MAX_NS = 2 ** 63 - 1;
const SEGMENT = /(\d*)(?:\.(\d*))?([^\d.]*)/y;

/**
 * Go's `time.ParseDuration`: a sign, then one or more decimal numbers each with a unit
 * (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`): `1h30m`, `-1.5h`, `300ms`. A lone `0` needs no unit.
 */
export function parseGoDuration(text: string): GoDuration {
  const fail = (): never => {
    throw new RangeError(`invalid duration ${JSON.stringify(text)}`);
  };
  if (typeof text !== 'string') throw new TypeError('duration must be a string');
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return new GoDuration(0);
  if (rest === '') fail();
  let total = 0;
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < rest.length) {
    const match = SEGMENT.exec(rest);
    if (match === null) return fail();
    const [, whole = '', fraction, unit = ''] = match;
    if (whole === '' && (fraction === undefined || fraction === '')) fail();
    const scale = UNITS.get(unit);
    if (scale === undefined) return fail();
    total += Number(whole || '0') * scale + (fraction ? Number(`0.${fraction}`) * scale : 0);
    if (total > MAX_NS) fail();
  }
  return new GoDuration(sign * Math.round(total));
}
