import { RE2JS } from 're2js';
import { checkGeneratedLength, type FunctionTable } from './function-types.ts';
import { spendSteps } from './render-budget.ts';
import { FunctionError } from './template-errors.ts';

/**
 * sprig's regexMatch and regexReplaceAll on RE2 (re2js): Go's regexp syntax and refusals, matched in
 * time linear in the text. Replacements expand `$1`, `${1}`, `$name`, `${name}` and `$$` as Go does.
 * A pattern written as a literal is compiled with the template (`checkPattern`), so a pattern Go's
 * regexp.Compile refuses is a load-time error.
 */

const cache = new Map<string, RE2JS>();
const CACHE_LIMIT = 256;

/** Throws Go's message (`error parsing regexp: …`) for a pattern RE2 refuses. */
export function checkPattern(pattern: string): void {
  compile(pattern);
}

/** A match runs an automaton over the text, dearer than reading it: two steps a character, still linear. */
function spendMatch(text: string): void {
  spendSteps(16 + 2 * text.length);
}

function compile(pattern: string): RE2JS {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(pattern);
  } catch (error) {
    throw new FunctionError(error instanceof Error ? error.message : String(error));
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, regex);
  return regex;
}

/** Go's Regexp.Expand of `template` for one match. */
function expand(template: string, groups: readonly (string | null)[], names: Readonly<Record<string, number>>): string {
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
    const index = /^[0-9]+$/.test(name) ? Number(name) : Object.hasOwn(names, name) ? names[name] : undefined;
    if (index !== undefined) out += groups[index] ?? '';
  }
  return out;
}

/**
 * Go's Regexp.ReplaceAllString: successive non-overlapping matches; an empty match right after the
 * previous match is not replaced (`a*` on `baaac` gives `XbXcX`, where JavaScript gives `XbXXcX`).
 */
function replaceAll(regex: RE2JS, text: string, template: string): string {
  const matcher = regex.matcher(text);
  const names = regex.namedGroups() as Record<string, number>;
  const groupCount = regex.groupCount();
  let out = '';
  let lastEnd = 0;
  let searchFrom = 0;
  while (searchFrom <= text.length && matcher.find(searchFrom)) {
    const start = matcher.start();
    const end = matcher.end();
    out += text.slice(lastEnd, start);
    if (end > lastEnd || start === 0) {
      const groups = Array.from({ length: groupCount + 1 }, (_, g) => matcher.group(g));
      out += expand(template, groups, names);
      checkGeneratedLength(out.length);
    }
    lastEnd = end;
    // Advance past this match, always by at least one code point.
    const width = (text.codePointAt(searchFrom) ?? 0) > 0xffff ? 2 : 1;
    searchFrom = searchFrom + width > end ? searchFrom + width : end;
  }
  return out + text.slice(lastEnd);
}

/** Go's Regexp.FindAllStringIndex: at most n matches (all when n < 0), an empty match right after the previous one skipped. */
function findAllIndex(regex: RE2JS, text: string, n: number): [number, number][] {
  const matcher = regex.matcher(text);
  const out: [number, number][] = [];
  let previousEnd = -1;
  let searchFrom = 0;
  while ((n < 0 || out.length < n) && searchFrom <= text.length && matcher.find(searchFrom)) {
    const start = matcher.start();
    const end = matcher.end();
    if (!(start === end && start === previousEnd)) out.push([start, end]);
    previousEnd = end;
    const width = (text.codePointAt(searchFrom) ?? 0) > 0xffff ? 2 : 1;
    searchFrom = searchFrom + width > end ? searchFrom + width : end;
  }
  return out;
}

function findAll(regex: RE2JS, text: string, n: number): string[] {
  return findAllIndex(regex, text, n).map(([start, end]) => text.slice(start, end));
}

/** Go's Regexp.Split: the text between matches; n > 0 gives at most n parts, n == 0 none. */
function split(regex: RE2JS, pattern: string, text: string, n: number): string[] {
  if (n === 0) return [];
  if (pattern !== '' && text === '') return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const [start, stop] of findAllIndex(regex, text, n)) {
    if (n > 0 && out.length === n - 1) break;
    end = start;
    if (stop !== 0) out.push(text.slice(beg, end));
    beg = stop;
  }
  if (end !== text.length) out.push(text.slice(beg));
  return out;
}

/** regexp.QuoteMeta */
function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function compiled(pattern: unknown, text: unknown): RE2JS {
  const regex = compile(pattern as string);
  spendMatch(text as string);
  return regex;
}

export const sprigRegexFunctions: FunctionTable = {
  mustRegexMatch: {
    params: ['string', 'string'],
    pattern: 0,
    fn: ([pattern, text]) => compiled(pattern, text).test(text as string),
  },
  regexFind: { params: ['string', 'string'], pattern: 0, fn: ([pattern, text]) => findAll(compiled(pattern, text), text as string, 1)[0] ?? '' },
  regexFindAll: { params: ['string', 'string', 'int'], pattern: 0, fn: ([pattern, text, n]) => findAll(compiled(pattern, text), text as string, n as number) },
  regexSplit: { params: ['string', 'string', 'int'], pattern: 0, fn: ([pattern, text, n]) => split(compiled(pattern, text), pattern as string, text as string, n as number) },
  regexReplaceAllLiteral: {
    params: ['string', 'string', 'string'],
    pattern: 0,
    // A literal replacement: `$` stands for itself, which `$$` gives through Go's expansion.
    fn: ([pattern, text, replacement]) => replaceAll(compiled(pattern, text), text as string, (replacement as string).replaceAll('$', '$$$$')),
  },
  regexQuoteMeta: { params: ['string'], fn: ([text]) => quoteMeta(text as string) },
  regexMatch: {
    params: ['string', 'string'],
    pattern: 0,
    fn: ([pattern, text]) => {
      let regex: RE2JS;
      try {
        regex = compile(pattern as string);
      } catch {
        // sprig's regexMatch answers false for a pattern that does not compile.
        return false;
      }
      spendMatch(text as string);
      return regex.test(text as string);
    },
  },
  regexReplaceAll: {
    params: ['string', 'string', 'string'],
    pattern: 0,
    fn: ([pattern, text, template]) => {
      const regex = compile(pattern as string);
      spendMatch(text as string);
      return replaceAll(regex, text as string, template as string);
    },
  },
};
