import { RE2JS } from 're2js';
import { spend } from './evaluation-budget.ts';
import { runtimeError } from './runtime-error.ts';

/**
 * Go's regexp (RE2) for `matches`: the same syntax (`(?i)` anywhere, `(?P<name>…)`, `\A`, `\z`, POSIX
 * classes, `\pL`) and the same refusals (backreferences, lookarounds: `regexp.Compile` errors), matched
 * in time linear in the text, so no pattern and no text can make a condition run away. A literal
 * pattern is compiled when the expression compiles; a bad one is a compile error there.
 */
export type GoRegex = RE2JS;

/** Throws Go's message (`error parsing regexp: invalid escape sequence: \`\1\``) for a pattern RE2 refuses. */
export function compileGoRegex(pattern: string): GoRegex {
  return RE2JS.compile(pattern);
}

const cache = new Map<string, GoRegex>();
const CACHE_LIMIT = 128;

/** `text matches pattern` (Go's `regexp.MatchString`: a match anywhere in the text). */
export function matches(text: unknown, pattern: unknown): boolean {
  // expr-lang's VM: nil on either side does not match (no error).
  if (text === null || text === undefined || pattern === null || pattern === undefined) return false;
  if (typeof text !== 'string') throw runtimeError(`invalid operation: matches (mismatched types ${text === null || text === undefined ? 'nil' : typeof text} and string)`);
  // An automaton over the text: two steps a character (see evaluation-budget.ts), still linear.
  spend(16 + 2 * text.length);
  if (pattern instanceof RE2JS) return pattern.test(text);
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
