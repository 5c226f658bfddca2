import { randomInt } from 'node:crypto';
import type { FunctionTable } from './function-types.ts';
import { camelCaseToLowerCase } from './sprig-case-words.ts';
import { FunctionError } from './template-errors.ts';
import { GO_SPACE, mapCase } from './utf8-text.ts';

/**
 * sprig's word functions, which it takes from goutils (untitle, initials, abbrevboth, wrap, swapcase)
 * and xstrings (snakecase, camelcase, kebabcase, shuffle), with their rules restated here.
 */

const isSpace = (ch: string): boolean => GO_SPACE.test(ch);

/** goutils.Uncapitalize: the first letter of each white-space separated word lower-cased. */
function untitle(text: string): string {
  let out = '';
  let atWordStart = true;
  for (const ch of text) {
    out += atWordStart ? mapCase(ch, false) : ch;
    atWordStart = isSpace(ch);
  }
  return out;
}

/** goutils.Initials: the first letter of each white-space separated word. */
function initials(text: string): string {
  let out = '';
  let atWordStart = true;
  for (const ch of text) {
    if (atWordStart && !isSpace(ch)) out += ch;
    atWordStart = isSpace(ch);
  }
  return out;
}

/** goutils.AbbreviateFull, on bytes as Go's string indexing is (ASCII text is the common case). */
function abbreviateFull(text: string, offsetIn: number, maxWidth: number): string {
  if (maxWidth < 4 || text.length <= maxWidth) return text;
  let offset = Math.min(offsetIn, text.length);
  if (text.length - offset < maxWidth - 3) offset = text.length - (maxWidth - 3);
  if (offset <= 4) return `${text.slice(0, maxWidth - 3)}...`;
  if (maxWidth < 7) return text;
  if (offset + maxWidth - 3 < text.length) return `...${abbreviateFull(text.slice(offset), 0, maxWidth - 3)}`;
  return `...${text.slice(text.length - (maxWidth - 3))}`;
}

function abbrevboth(left: number, right: number, text: string): string {
  if (right < 4 || (left > 0 && right < 7)) return text;
  return abbreviateFull(text, left, right);
}

/** goutils.WrapCustom: break lines at spaces so each is at most `width` long; long words are not split. */
function wrap(text: string, width: number, newLine: string): string {
  const size = Math.max(width, 1);
  let out = '';
  let offset = 0;
  while (text.length - offset > size) {
    if (text[offset] === ' ') {
      offset++;
      continue;
    }
    let cut = text.lastIndexOf(' ', size + offset);
    if (cut >= offset) {
      out += text.slice(offset, cut) + newLine;
      offset = cut + 1;
      continue;
    }
    cut = text.indexOf(' ', size + offset);
    if (cut < 0) break;
    out += text.slice(offset, cut) + newLine;
    offset = cut + 1;
  }
  return out + text.slice(offset);
}

/** goutils.SwapCase: upper case to lower, lower case to upper (title case after white space). */
function swapcase(text: string): string {
  let out = '';
  for (const ch of text) {
    const upper = mapCase(ch, true);
    const lower = mapCase(ch, false);
    out += ch === upper && ch !== lower ? lower : ch === lower && ch !== upper ? upper : ch;
  }
  return out;
}

const CONNECTOR = /^[-_\p{White_Space}]$/u;
const UPPER = /^\p{Lu}$/u;

/**
 * sprig's `camelcase`, xstrings.ToPascalCase: a connector (`-`, `_`, a space) is dropped and the rune after it
 * upper-cased, a run of connectors keeps all but the last, leading and trailing ones stay; in a word that
 * starts upper-case, the upper-case runes right after the first are lowered (`GOLANG_IS` → `GolangIs`);
 * anything else stays as it is (`https://a.b/new-app` → `Https://a.b/newApp`). Checked against Go.
 */
function pascal(text: string): string {
  const runes = Array.from(text);
  let out = '';
  let i = 0;
  for (; i < runes.length && CONNECTOR.test(runes[i] ?? ''); i++) out += runes[i];
  // Only connectors: xstrings writes the last one twice (`_` → `__`).
  if (i === runes.length) return out + (runes.at(-1) ?? '');
  let current = runes[i] ?? '';
  let wordStartsUpper = UPPER.test(current);
  current = mapCase(current, true);
  for (i++; i < runes.length; i++) {
    const previous = current;
    current = runes[i] ?? '';
    const previousConnects = CONNECTOR.test(previous);
    if (previousConnects && CONNECTOR.test(current)) {
      out += previous;
    } else if (previousConnects) {
      wordStartsUpper = UPPER.test(current);
      current = mapCase(current, true);
    } else {
      if (wordStartsUpper) {
        if (UPPER.test(current)) current = mapCase(current, false);
        else wordStartsUpper = false;
      }
      out += previous;
    }
  }
  return out + current;
}

/** xstrings.Shuffle: the runes in a random order. */
function shuffle(text: string): string {
  const runes = Array.from(text);
  for (let i = runes.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [runes[i], runes[j]] = [runes[j] ?? '', runes[i] ?? ''];
  }
  return runes.join('');
}

/** strings.SplitN into sprig's `_0`, `_1`… map. */
function splitn(separator: string, n: number, text: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (n === 0) return out;
  const all = separator === '' ? Array.from(text) : text.split(separator);
  const parts = n < 0 || all.length <= n ? all : [...all.slice(0, n - 1), all.slice(n - 1).join(separator)];
  for (const [i, part] of parts.entries()) out[`_${i}`] = part;
  return out;
}

const s = (value: unknown): string => value as string;
const n = (value: unknown): number => value as number;

export const sprigTextFunctions: FunctionTable = {
  untitle: { params: ['string'], fn: ([text]) => untitle(s(text)) },
  initials: { params: ['string'], fn: ([text]) => initials(s(text)) },
  abbrevboth: { params: ['int', 'int', 'string'], fn: ([left, right, text]) => abbrevboth(n(left), n(right), s(text)) },
  wrap: { params: ['int', 'string'], fn: ([width, text]) => wrap(s(text), n(width), '\n') },
  wrapWith: { params: ['int', 'string', 'string'], fn: ([width, newLine, text]) => wrap(s(text), n(width), s(newLine)) },
  plural: { params: ['string', 'string', 'int'], fn: ([one, many, count]) => (count === 1 ? one : many) },
  swapcase: { params: ['string'], fn: ([text]) => swapcase(s(text)) },
  snakecase: { params: ['string'], fn: ([text]) => camelCaseToLowerCase(s(text), '_') },
  kebabcase: { params: ['string'], fn: ([text]) => camelCaseToLowerCase(s(text), '-') },
  camelcase: { params: ['string'], fn: ([text]) => pascal(s(text)) },
  shuffle: { params: ['string'], fn: ([text]) => shuffle(s(text)) },
  splitn: {
    params: ['string', 'int', 'string'],
    fn: ([separator, count, text]) => {
      if (n(count) > 1_000_000) throw new FunctionError('splitn: count too large');
      return splitn(s(separator), n(count), s(text));
    },
  },
};
