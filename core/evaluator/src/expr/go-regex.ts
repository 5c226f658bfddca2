import { runtimeError } from './runtime-error.ts';

/**
 * Go (RE2) patterns as JS RegExps. Handled: leading flag groups `(?i)`, `(?s)`, `(?m)` (and combined),
 * named groups `(?P<name>…)`, `\A` and `\z`. JS backtracks where RE2 does not, so a pathological pattern
 * taken from data can be slow; patterns in config are compiled once at load.
 */
export function compileGoRegex(pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const leading = /^\(\?([ims]+)\)/.exec(source);
  if (leading !== null) {
    flags = [...new Set(leading[1])].join('');
    source = source.slice(leading[0].length);
  }
  source = source.replace(/\(\?P</g, '(?<').replace(/\\A/g, '(?<![\\s\\S])').replace(/\\z/g, '$(?![\\s\\S])');
  return new RegExp(source, flags);
}

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 128;

/** `text matches pattern` where the pattern is only known at run time (compiled once per distinct pattern). */
export function matches(text: unknown, pattern: unknown): boolean {
  if (typeof text !== 'string') throw runtimeError(`invalid operation: matches (mismatched types ${text === null || text === undefined ? 'nil' : typeof text} and string)`);
  if (pattern instanceof RegExp) return pattern.test(text);
  if (typeof pattern !== 'string') throw runtimeError('matches needs a string pattern');
  let regex = cache.get(pattern);
  if (regex === undefined) {
    try {
      regex = compileGoRegex(pattern);
    } catch (error) {
      throw runtimeError(`invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`, error);
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, regex);
  }
  return regex.test(text);
}
