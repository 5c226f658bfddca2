import { chunksOf, DAYS, MONTHS, type Std } from './go-layout.ts';
import { GoTime } from './go-time.ts';

/**
 * Go's `time.Parse(layout, text)` for the layout elements formatGoLayout knows, in UTC when the text names no
 * offset (Argo's containers run in UTC). Throws a RangeError with Go's message shape when the text does not fit.
 */

interface Parsed {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  pm?: boolean;
  offsetSeconds?: number;
  zone?: string;
}

class Reader {
  pos = 0;
  readonly text: string;
  readonly layout: string;

  constructor(text: string, layout: string) {
    this.text = text;
    this.layout = layout;
  }

  fail(element: string): never {
    throw new RangeError(`parsing time ${JSON.stringify(this.text)} as ${JSON.stringify(this.layout)}: cannot parse ${JSON.stringify(this.text.slice(this.pos))} as ${JSON.stringify(element)}`);
  }

  digits(min: number, max: number, element: string): number {
    const match = new RegExp(`^[0-9]{${min},${max}}`).exec(this.text.slice(this.pos));
    if (match === null) this.fail(element);
    this.pos += match[0].length;
    return Number(match[0]);
  }

  name(names: readonly string[], length: number | undefined, element: string): number {
    const index = names.findIndex((full) => {
      const word = length === undefined ? full : full.slice(0, length);
      return this.text.slice(this.pos, this.pos + word.length).toLowerCase() === word.toLowerCase();
    });
    if (index < 0) this.fail(element);
    this.pos += length ?? names[index]?.length ?? 0;
    return index;
  }
}

function readZone(r: Reader, code: string, into: Parsed): void {
  if (code.startsWith('Z') && r.text[r.pos] === 'Z') {
    r.pos += 1;
    into.offsetSeconds = 0;
    return;
  }
  const sign = r.text[r.pos];
  if (sign !== '+' && sign !== '-') r.fail(code);
  r.pos += 1;
  const colon = code.includes(':');
  const hours = r.digits(2, 2, code);
  let minutes = 0;
  let seconds = 0;
  const body = code.replace(/^[-Z]/, '').replaceAll(':', '');
  if (body.length > 2) {
    if (colon && r.text[r.pos++] !== ':') r.fail(code);
    minutes = r.digits(2, 2, code);
  }
  if (body.length > 4) {
    if (colon && r.text[r.pos++] !== ':') r.fail(code);
    seconds = r.digits(2, 2, code);
  }
  into.offsetSeconds = (sign === '-' ? -1 : 1) * (hours * 3600 + minutes * 60 + seconds);
}

function readElement(r: Reader, std: Std, p: Parsed): void {
  switch (std.code) {
    case 'January': p.month = r.name(MONTHS, undefined, std.code) + 1; return;
    case 'Jan': p.month = r.name(MONTHS, 3, std.code) + 1; return;
    case '1': p.month = r.digits(1, 2, std.code); return;
    case '01': p.month = r.digits(2, 2, std.code); return;
    case 'Monday': r.name(DAYS, undefined, std.code); return;
    case 'Mon': r.name(DAYS, 3, std.code); return;
    case '2': p.day = r.digits(1, 2, std.code); return;
    case '_2': if (r.text[r.pos] === ' ') r.pos += 1; p.day = r.digits(1, 2, std.code); return;
    case '02': p.day = r.digits(2, 2, std.code); return;
    case '__2': case '002': r.digits(1, 3, std.code); return;
    case '15': p.hour = r.digits(1, 2, std.code); return;
    case '3': p.hour = r.digits(1, 2, std.code); return;
    case '03': p.hour = r.digits(2, 2, std.code); return;
    case '4': p.minute = r.digits(1, 2, std.code); return;
    case '04': p.minute = r.digits(2, 2, std.code); return;
    case '5': p.second = r.digits(1, 2, std.code); readFraction(r, p); return;
    case '05': p.second = r.digits(2, 2, std.code); readFraction(r, p); return;
    case '2006': p.year = r.digits(4, 4, std.code); return;
    case '06': { const yy = r.digits(2, 2, std.code); p.year = yy >= 69 ? 1900 + yy : 2000 + yy; return; }
    case 'PM': case 'pm': {
      const word = r.text.slice(r.pos, r.pos + 2).toUpperCase();
      if (word !== 'AM' && word !== 'PM') r.fail(std.code);
      p.pm = word === 'PM';
      r.pos += 2;
      return;
    }
    case 'MST': {
      const match = /^(?:UTC|[A-Z]{3,5})/.exec(r.text.slice(r.pos));
      if (match === null) r.fail(std.code);
      r.pos += match[0].length;
      p.zone = match[0];
      return;
    }
    case 'frac0': case 'frac9': {
      if (r.text[r.pos] !== (std.sep ?? '.')) {
        if (std.code === 'frac0') r.fail(std.code);
        return;
      }
      r.pos += 1;
      const start = r.pos;
      r.digits(std.code === 'frac0' ? (std.digits ?? 1) : 1, std.code === 'frac0' ? (std.digits ?? 1) : 9, std.code);
      p.ms = Number(r.text.slice(start, r.pos).padEnd(3, '0').slice(0, 3));
      return;
    }
    default:
      readZone(r, std.code, p);
  }
}

/** Go accepts fractional seconds after a seconds element even when the layout has none. */
function readFraction(r: Reader, p: Parsed): void {
  const match = /^[.,]([0-9]+)/.exec(r.text.slice(r.pos));
  if (match === null || /^[.,][09]/.test(r.layout.slice(r.layout.indexOf('05') + 2))) return;
  r.pos += match[0].length;
  p.ms = Number((match[1] ?? '').padEnd(3, '0').slice(0, 3));
}

export function parseGoLayout(layout: string, text: string): GoTime {
  const r = new Reader(text, layout);
  const p: Parsed = { year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, ms: 0 };
  for (const chunk of chunksOf(layout)) {
    if (typeof chunk === 'string') {
      if (!text.startsWith(chunk, r.pos)) r.fail(chunk);
      r.pos += chunk.length;
    } else {
      readElement(r, chunk, p);
    }
  }
  if (r.pos !== text.length) throw new RangeError(`parsing time ${JSON.stringify(text)}: extra text: ${JSON.stringify(text.slice(r.pos))}`);
  if (p.pm !== undefined) p.hour = (p.hour % 12) + (p.pm ? 12 : 0);
  const daysInMonth = new Date(Date.UTC(2000, p.month, 0)).getUTCDate() - (p.month === 2 && !(p.year % 4 === 0 && (p.year % 100 !== 0 || p.year % 400 === 0)) ? 1 : 0);
  if (p.month < 1 || p.month > 12) throw new RangeError(`parsing time ${JSON.stringify(text)}: month out of range`);
  if (p.day < 1 || p.day > daysInMonth || p.hour > 23 || p.minute > 59 || p.second > 59) throw new RangeError(`parsing time ${JSON.stringify(text)}: day out of range`);
  const offsetSeconds = p.offsetSeconds ?? 0;
  const wall = new Date(0).setUTCFullYear(p.year, p.month - 1, p.day) + ((p.hour * 60 + p.minute) * 60 + p.second) * 1000 + p.ms;
  const zone = p.offsetSeconds === undefined ? (p.zone ?? 'UTC') : offsetSeconds === 0 ? 'UTC' : '';
  return new GoTime(wall - offsetSeconds * 1000, { offsetSeconds, zone });
}
