import { GoDuration, GoTime } from '../host/index.ts';
import { formatFloat } from './go-float.ts';
import { goQuote, goSprint } from './go-format.ts';
import { checkGeneratedLength } from './function-types.ts';
import { goTypeName, isGoMap, isInteger, sortedKeys } from './template-values.ts';
import { utf8Bytes } from './utf8-text.ts';

/**
 * Go's fmt.Sprintf for template values: verbs v s q d b o O x X c U e E f F g G t T, flags `+ - # 0 space`,
 * width and precision (also `*`), and Go's complaints in the output (`%!d(string=x)`, `%!s(MISSING)`,
 * `%!(EXTRA int=2)`). Lists and maps apply the verb to each element, as Go does.
 * Deviation: a float verb (`%f`, `%e`, `%g`) formats any number, where Go refuses an int64 (`%!f(int64=3)`).
 */

interface Spec {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  zero: boolean;
  space: boolean;
  width: number | undefined;
  prec: number | undefined;
}

function pad(text: string, spec: Spec, zeros = false): string {
  if (spec.width === undefined) return text;
  checkGeneratedLength(spec.width);
  const length = Array.from(text).length;
  if (length >= spec.width) return text;
  const fill = (zeros ? '0' : ' ').repeat(spec.width - length);
  if (spec.minus) return text + fill;
  if (!zeros) return fill + text;
  const sign = /^[+\- ]/.test(text) ? (text[0] ?? '') : '';
  return sign + fill + text.slice(sign.length);
}

function bad(verb: string, arg: unknown): string {
  return arg === undefined || arg === null ? `%!${verb}(<nil>)` : `%!${verb}(${goTypeName(arg)}=${goSprint(arg)})`;
}

function signed(digits: string, negative: boolean, spec: Spec): string {
  return (negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '') + digits;
}

const INT_BASES: Readonly<Record<string, number>> = { d: 10, v: 10, b: 2, o: 8, O: 8, x: 16, X: 16 };

function formatInt(n: number, verb: string, spec: Spec): string {
  const base = INT_BASES[verb];
  if (base !== undefined) {
    const abs = Math.abs(n);
    let digits = abs <= Number.MAX_SAFE_INTEGER ? abs.toString(base) : BigInt(abs).toString(base);
    if (verb === 'X') digits = digits.toUpperCase();
    if (spec.prec !== undefined) {
      checkGeneratedLength(spec.prec);
      digits = spec.prec === 0 && n === 0 ? '' : digits.padStart(spec.prec, '0');
    }
    let prefix = '';
    if (verb === 'O') prefix = '0o';
    else if (spec.sharp) prefix = verb === 'x' ? '0x' : verb === 'X' ? '0X' : verb === 'b' ? '0b' : verb === 'o' && !digits.startsWith('0') ? '0' : '';
    return pad(signed(prefix + digits, n < 0, spec), spec, spec.zero && !spec.minus && spec.prec === undefined);
  }
  const valid = n >= 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff);
  const ch = valid ? String.fromCodePoint(n) : '\uFFFD';
  switch (verb) {
    case 'c':
      return pad(ch, spec);
    case 'q':
      return pad(goQuote(ch, "'"), spec);
    case 'U': {
      const code = `U+${n.toString(16).toUpperCase().padStart(4, '0')}`;
      return pad(spec.sharp && valid ? `${code} '${ch}'` : code, spec);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return formatFloatArg(n, verb, spec);
    default:
      return bad(verb, n);
  }
}

function formatFloatArg(x: number, verb: string, spec: Spec): string {
  let text: string;
  switch (verb) {
    case 'v':
    case 'g':
    case 'G':
      text = formatFloat(x, verb === 'G' ? 'G' : 'g', spec.prec ?? -1);
      break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
      if (spec.prec !== undefined) checkGeneratedLength(spec.prec);
      text = formatFloat(x, verb, spec.prec ?? 6);
      break;
    default:
      return bad(verb, x);
  }
  if (!text.startsWith('-')) text = (spec.plus ? '+' : spec.space ? ' ' : '') + text.replace(/^\+/, '');
  return pad(text, spec, spec.zero && !spec.minus && Number.isFinite(x));
}

function formatString(text: string, verb: string, spec: Spec): string {
  const cut = spec.prec === undefined ? text : Array.from(text).slice(0, spec.prec).join('');
  switch (verb) {
    case 's':
    case 'v':
      return pad(cut, spec);
    case 'q':
      return pad(spec.sharp && !/[`\p{Cc}]/u.test(cut) ? `\`${cut}\`` : goQuote(cut), spec);
    case 'x':
    case 'X': {
      let hex = Array.from(utf8Bytes(cut), (b) => b.toString(16).padStart(2, '0')).map((h) => (spec.sharp ? `0x${h}` : h));
      if (verb === 'X') hex = hex.map((h) => h.toUpperCase());
      return pad(hex.join(spec.space ? ' ' : ''), spec);
    }
    default:
      return bad(verb, text);
  }
}

function formatArg(arg: unknown, verb: string, spec: Spec): string {
  if (verb === 'T') return pad(goTypeName(arg), spec);
  switch (typeof arg) {
    case 'undefined':
      return verb === 'v' ? pad('<nil>', spec) : bad(verb, arg);
    case 'boolean':
      return verb === 't' || verb === 'v' ? pad(String(arg), spec) : bad(verb, arg);
    case 'number':
      return isInteger(arg) ? formatInt(arg, verb, spec) : formatFloatArg(arg, verb, spec);
    case 'string':
      return formatString(arg, verb, spec);
    case 'function':
      return verb === 'v' ? pad('<func>', spec) : bad(verb, arg);
    default:
      if (arg === null) return verb === 'v' ? pad('<nil>', spec) : bad(verb, arg);
      if (Array.isArray(arg)) return `[${arg.map((item) => formatArg(item, verb, spec)).join(' ')}]`;
      if (isGoMap(arg)) return `map[${sortedKeys(arg).map((k) => `${formatArg(k, verb, spec)}:${formatArg(arg[k], verb, spec)}`).join(' ')}]`;
      if (arg instanceof GoDuration && verb !== 'v' && verb !== 's' && verb !== 'q') return formatInt(arg.Nanoseconds(), verb, spec);
      if (arg instanceof GoTime || arg instanceof GoDuration) return formatString(arg.String(), verb === 'q' || verb === 'x' || verb === 'X' ? verb : 's', spec);
      return verb === 'v' ? pad(goSprint(arg), spec) : bad(verb, arg);
  }
}

const FLAGS = '+-# 0';

export function goSprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argIndex = 0;
  let i = 0;
  const number = (): number | undefined => {
    const match = /^[0-9]+/.exec(format.slice(i, i + 12));
    if (match === null) return undefined;
    i += match[0].length;
    return Number(match[0]);
  };
  /** A `*` width or precision, taken from the arguments. */
  const star = (): number | undefined => {
    const value = args[argIndex++];
    if (isInteger(value)) return value;
    out += '%!(BADWIDTH)';
    return undefined;
  };
  while (i < format.length) {
    const percent = format.indexOf('%', i);
    if (percent === -1) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    i = percent + 1;
    const spec: Spec = { plus: false, minus: false, sharp: false, zero: false, space: false, width: undefined, prec: undefined };
    for (let c = format[i]; c !== undefined && FLAGS.includes(c); c = format[++i]) {
      if (c === '+') spec.plus = true;
      else if (c === '-') spec.minus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === '0') spec.zero = true;
      else spec.space = true;
    }
    if (format[i] === '*') {
      i++;
      spec.width = star();
      if (spec.width !== undefined && spec.width < 0) {
        spec.minus = true;
        spec.width = -spec.width;
      }
    } else {
      spec.width = number();
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        spec.prec = star();
        if (spec.prec !== undefined && spec.prec < 0) spec.prec = undefined;
      } else {
        spec.prec = number() ?? 0;
      }
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argIndex++], verb, spec);
  }
  if (argIndex < args.length) {
    const extra = args.slice(argIndex).map((a) => (a === undefined || a === null ? '<nil>' : `${goTypeName(a)}=${goSprint(a)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}
