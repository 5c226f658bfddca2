import { GoDuration, GoTime } from '../host/index.ts';
import { isGoMap, sortedKeys } from './template-values.ts';

/**
 * Go's encoding/json for template values, as sprig's toJson family uses it: map keys sorted, `<`, `>`
 * and `&` escaped as `\u003c…` unless `escapeHtml` is off, U+2028/U+2029 always escaped, times as RFC 3339
 * text, durations as nanoseconds. A value Go cannot encode (a function, NaN) makes the whole encoding fail.
 */

class Unencodable extends Error {}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};
/* eslint-disable no-control-regex -- JSON must escape exactly the C0 control characters. */
const NEEDS_ESCAPE_HTML = /["\\\x00-\x1f<>&\u2028\u2029\uD800-\uDFFF]/;
const NEEDS_ESCAPE = /["\\\x00-\x1f\u2028\u2029\uD800-\uDFFF]/;
const ESCAPE_HTML = /["\\\x00-\x1f<>&\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ESCAPE = /["\\\x00-\x1f\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/* eslint-enable no-control-regex */

function escapeChar(ch: string): string {
  const named = ESCAPES[ch];
  if (named !== undefined) return named;
  // A lone surrogate is invalid UTF-8, which Go replaces.
  if (ch >= '\uD800' && ch <= '\uDFFF') return '\\ufffd';
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function encodeString(text: string, escapeHtml: boolean): string {
  if (!(escapeHtml ? NEEDS_ESCAPE_HTML : NEEDS_ESCAPE).test(text)) return `"${text}"`;
  return `"${text.replace(escapeHtml ? ESCAPE_HTML : ESCAPE, escapeChar)}"`;
}

function encode(value: unknown, escapeHtml: boolean, indent: string | undefined, depth: string): string {
  switch (typeof value) {
    case 'undefined':
      return 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new Unencodable();
      // JavaScript and Go agree on float text here, down to `1e+21` and `1e-7`.
      return String(value);
    case 'string':
      return encodeString(value, escapeHtml);
    case 'object': {
      if (value === null) return 'null';
      if (value instanceof GoTime) return encodeString(value.toJSON(), escapeHtml);
      if (value instanceof GoDuration) return String(value.Nanoseconds());
      const inner = indent === undefined ? '' : depth + indent;
      const open = indent === undefined ? '' : `\n${inner}`;
      const close = indent === undefined ? '' : `\n${depth}`;
      const separator = indent === undefined ? ',' : `,\n${inner}`;
      if (Array.isArray(value)) {
        if (value.length === 0) return '[]';
        return `[${open}${value.map((item: unknown) => encode(item, escapeHtml, indent, inner)).join(separator)}${close}]`;
      }
      if (isGoMap(value)) {
        const keys = sortedKeys(value);
        if (keys.length === 0) return '{}';
        const colon = indent === undefined ? ':' : ': ';
        return `{${open}${keys.map((k) => encodeString(k, escapeHtml) + colon + encode(value[k], escapeHtml, indent, inner)).join(separator)}${close}}`;
      }
      throw new Unencodable();
    }
    default:
      throw new Unencodable();
  }
}

export interface GoJsonOptions {
  readonly escapeHtml: boolean;
  /** MarshalIndent's indent; one line without it. */
  readonly indent?: string;
}

/** The JSON text, or undefined where Go's encoder fails (sprig then prints an empty string). */
export function encodeGoJson(value: unknown, options: GoJsonOptions): string | undefined {
  try {
    return encode(value, options.escapeHtml, options.indent, '');
  } catch (error) {
    if (error instanceof Unencodable) return undefined;
    throw error;
  }
}
