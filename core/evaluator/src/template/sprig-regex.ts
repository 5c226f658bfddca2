import type { FunctionTable } from './function-types.ts';
import { FunctionError } from './template-errors.ts';

/**
 * sprig's regexMatch and regexReplaceAll. Patterns are Go RE2 syntax run by JavaScript's engine: the
 * common subset (classes, groups, anchors, `(?P<name>…)`, leading `(?i)`/`(?s)`/`(?m)` flags) means the
 * same in both. Replacements expand `$1`, `${1}`, `$name`, `${name}` and `$$` as Go does.
 */

const cache = new Map<string, RegExp>();

/**
 * JavaScript backtracks where RE2 runs in linear time, so a repeated group that itself repeats
 * (`(a+)+`) could take exponential time on hostile data: such patterns are refused.
 */
function hasNestedRepetition(pattern: string): boolean {
  const repeatsInside: boolean[] = [false];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
    } else if (c === '(') {
      repeatsInside.push(false);
    } else if (c === ')') {
      const inner = repeatsInside.pop() ?? false;
      const next = pattern[i + 1];
      const repeated = next === '*' || next === '+' || next === '{';
      if (inner && repeated) return true;
      repeatsInside[repeatsInside.length - 1] ||= inner || repeated;
    } else if (c === '*' || c === '+' || c === '{') {
      repeatsInside[repeatsInside.length - 1] = true;
    }
  }
  return false;
}
const CACHE_LIMIT = 256;

function compile(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  let source = pattern;
  let flags = 'g';
  const leading = /^\(\?([imsU]+)\)/.exec(source);
  if (leading?.[1] !== undefined) {
    if (leading[1].includes('U')) throw new FunctionError(`error parsing regexp: ungreedy flag (?U) is not supported: ${pattern}`);
    flags += Array.from(new Set(leading[1])).join('');
    source = source.slice(leading[0].length);
  }
  source = source.replaceAll('(?P<', '(?<');
  if (hasNestedRepetition(source)) throw new FunctionError(`regexp ${JSON.stringify(pattern)} repeats a repeated group, which Herald refuses (it could run for exponential time)`);
  let regex: RegExp;
  try {
    regex = new RegExp(source, `${flags}u`);
  } catch {
    try {
      // RE2 allows escaping any punctuation, which JavaScript refuses in unicode mode.
      regex = new RegExp(source, flags);
    } catch (error) {
      throw new FunctionError(`error parsing regexp: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, regex);
  return regex;
}

/** Go's Regexp.Expand of `template` for one match. */
function expand(template: string, groups: readonly (string | undefined)[], named: Readonly<Record<string, string | undefined>> | undefined): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar === -1) return out + template.slice(i);
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const match = /^(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/.exec(template.slice(i));
    const name = match?.[1] ?? match?.[2];
    if (match === null || name === undefined) {
      out += '$';
      continue;
    }
    i += match[0].length;
    if (/^[0-9]+$/.test(name)) out += groups[Number(name)] ?? '';
    else if (named !== undefined && Object.hasOwn(named, name)) out += named[name] ?? '';
  }
  return out;
}

export const sprigRegexFunctions: FunctionTable = {
  regexMatch: {
    params: ['string', 'string'],
    fn: ([pattern, text]) => {
      let regex: RegExp;
      try {
        regex = compile(pattern as string);
      } catch (error) {
        // sprig's regexMatch answers false for a pattern that does not compile; a refused one stays an error.
        if (error instanceof FunctionError && error.message.startsWith('error parsing regexp')) return false;
        throw error;
      }
      regex.lastIndex = 0;
      return regex.test(text as string);
    },
  },
  regexReplaceAll: {
    params: ['string', 'string', 'string'],
    fn: ([pattern, text, template]) =>
      (text as string).replace(compile(pattern as string), (...match: unknown[]) => {
        const last = match.at(-1);
        const named = typeof last === 'object' && last !== null ? (last as Record<string, string | undefined>) : undefined;
        const groupCount = match.length - (named === undefined ? 3 : 4) + 1;
        return expand(template as string, match.slice(0, groupCount) as (string | undefined)[], named);
      }),
  },
};
