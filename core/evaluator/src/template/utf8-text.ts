/**
 * Go strings are UTF-8 bytes: `len`, `index`, `trunc`, `substr` and `abbrev` count bytes, not UTF-16 units.
 * A cut through a multi-byte character leaves bytes that print as U+FFFD.
 */

const ASCII = /^\p{ASCII}*$/u;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

export function utf8Length(text: string): number {
  return ASCII.test(text) ? text.length : encoder.encode(text).length;
}

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** `s[start:end]` in Go; the caller checks the bounds. */
export function byteSlice(text: string, start: number, end?: number): string {
  if (ASCII.test(text)) return text.slice(start, end);
  return decoder.decode(encoder.encode(text).subarray(start, end));
}

/** Go's unicode.IsSpace. */
export const GO_SPACE = /[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/u;
const LEADING = new RegExp(`^${GO_SPACE.source}+`, 'u');
const TRAILING = new RegExp(`${GO_SPACE.source}+$`, 'u');
const ALL = new RegExp(GO_SPACE.source, 'gu');

/** strings.TrimSpace */
export function trimSpace(text: string): string {
  return text.replace(LEADING, '').replace(TRAILING, '');
}

/** goutils.DeleteWhiteSpace (sprig's nospace) */
export function deleteSpace(text: string): string {
  return text.replace(ALL, '');
}

/** Go's simple case mapping: a rune whose mapping is not one rune stays as it is (`ß` stays `ß`). */
export function mapCase(text: string, upper: boolean): string {
  if (ASCII.test(text)) return upper ? text.toUpperCase() : text.toLowerCase();
  let out = '';
  for (const ch of text) {
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += Array.from(mapped).length === 1 ? mapped : ch;
  }
  return out;
}
