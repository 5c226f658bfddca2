import { parseDurationNanoseconds } from '@herald/plugin-sdk';

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

/**
 * Go's `time.ParseDuration`, exactly (Argo's expressions call it): a sign, then one or more decimal numbers
 * each with a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`): `1h30m`, `-1.5h`, `300ms`; a lone `0` needs no
 * unit; no days. The grammar is the SDK's one duration parser; this adds Go's type and a RangeError.
 */
export function parseGoDuration(text: string): GoDuration {
  if (typeof text !== 'string') throw new TypeError('duration must be a string');
  try {
    return new GoDuration(parseDurationNanoseconds(text));
  } catch (cause) {
    throw new RangeError(`invalid duration ${JSON.stringify(text)}`, { cause });
  }
}
