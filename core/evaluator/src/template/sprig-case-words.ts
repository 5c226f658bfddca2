import { mapCase } from './utf8-text.ts';

/**
 * sprig's `snakecase` and `kebabcase`: xstrings' camelCaseToLowerCase (v1.5, sprig v3.3's), restated. Text
 * is read as words — a run of connectors (`-`, `_`, spaces), of punctuation, of digits, of lower-case
 * letters, an upper-case letter with the lower-case ones after it, a run of capitals (less the last when a
 * lower-case letter follows), or anything else — and the words are joined by the connector where xstrings
 * joins them: never beside punctuation (`https://a.b` stays as it is), digits glued to the letters they
 * touch unless a capitalised word comes between. Capitals and connectors are lowered and replaced, the
 * rest kept. Checked against Go through test/argo-oracle.
 */

type WordType = 'number' | 'upper' | 'alphabet' | 'connector' | 'punct' | 'other';

interface Word {
  readonly type: WordType;
  readonly text: string;
}

const CONNECTOR = /^[-_\p{White_Space}]$/u;
const PUNCT = /^\p{P}$/u;
const UPPER = /^\p{Lu}$/u;
const NUMBER = /^\p{N}$/u;
const LETTER = /^\p{L}$/u;

const isConnector = (r: string): boolean => CONNECTOR.test(r);
const isPunct = (r: string): boolean => PUNCT.test(r);
const isUpper = (r: string): boolean => UPPER.test(r);
const isNumber = (r: string): boolean => NUMBER.test(r);

/** xstrings' isAlphabet: a letter, not a CJK ideograph. */
function isAlphabet(r: string): boolean {
  if (!LETTER.test(r)) return false;
  const code = r.codePointAt(0) ?? 0;
  if (code < 0x3400) return true;
  return !((code >= 0x4e00 && code <= 0x9fcc) || (code >= 0x3400 && code <= 0x4d85) || (code >= 0x20000 && code <= 0x2b81d));
}

/** xstrings' nextWord over runes from `start`: the word there and where the next one starts. */
function nextWord(runes: readonly string[], start: number): { word: Word; next: number } {
  const at = (i: number): string => runes[i] ?? '';
  const first = at(start);
  let end = start + 1;
  const take = (test: (r: string) => boolean): void => {
    while (end < runes.length && test(at(end))) end++;
  };
  let type: WordType;
  if (isConnector(first)) {
    type = 'connector';
    take(isConnector);
  } else if (isPunct(first)) {
    type = 'punct';
    take(isPunct);
  } else if (isUpper(first)) {
    type = 'upper';
    if (end < runes.length) {
      if (isUpper(at(end))) {
        take(isUpper);
        // `HTTPServer`: the capital before a lower-case letter starts the next word.
        if (end < runes.length && isAlphabet(at(end))) end--;
      } else if (isAlphabet(at(end))) {
        take((r) => isAlphabet(r) && !isUpper(r));
      }
    }
  } else if (isAlphabet(first)) {
    type = 'alphabet';
    take((r) => isAlphabet(r) && !isUpper(r));
  } else if (isNumber(first)) {
    type = 'number';
    take(isNumber);
  } else {
    type = 'other';
    take((r) => !(isConnector(r) || isAlphabet(r) || isNumber(r) || isPunct(r)));
  }
  return { word: { type, text: runes.slice(start, end).join('') }, next: end };
}

function lower(word: Word, connector: string): string {
  if (word.type !== 'upper' && word.type !== 'connector') return word.text;
  let out = '';
  for (const r of word.text) out += isConnector(r) ? connector : isUpper(r) ? mapCase(r, false) : r;
  return out;
}

export function camelCaseToLowerCase(text: string, connector: string): string {
  if (text === '') return '';
  const runes = Array.from(text);
  let pos = 0;
  // `none` stands for xstrings' invalidWord: past the end of the text.
  const read = (): Word => {
    if (pos >= runes.length) return { type: 'other', text: '' };
    const { word, next } = nextWord(runes, pos);
    pos = next;
    return word;
  };
  const done = (): boolean => pos >= runes.length;
  const end = (word: Word): boolean => word.text === '';
  let out = '';
  let word = read();
  while (!done()) {
    if (word.type !== 'connector') out += lower(word, connector);
    const previous = word;
    word = read();
    switch (previous.type) {
      case 'number':
        while (word.type === 'alphabet' || word.type === 'number') {
          out += lower(word, connector);
          word = read();
        }
        if (!end(word) && word.type !== 'punct' && word.type !== 'connector') out += connector;
        break;
      case 'connector':
        out += lower(previous, connector);
        break;
      case 'punct':
        break;
      default: {
        if (word.type !== 'number') {
          if (word.type !== 'connector' && word.type !== 'punct') out += connector;
          break;
        }
        if (done()) break;
        const digits = word;
        word = read();
        if (word.type !== 'alphabet') {
          out += lower(digits, connector);
          if (word.type !== 'connector' && word.type !== 'punct') out += connector;
          break;
        }
        out += connector + lower(digits, connector);
        while (word.type === 'alphabet' || word.type === 'number') {
          out += lower(word, connector);
          word = read();
        }
        if (!end(word) && word.type !== 'connector' && word.type !== 'punct') out += connector;
      }
    }
  }
  return out + lower(word, connector);
}
