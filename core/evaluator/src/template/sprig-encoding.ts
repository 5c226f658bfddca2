import { createHash } from 'node:crypto';
import type { FunctionTable } from './function-types.ts';
import { encodeGoJson } from './go-json.ts';
import { decodeUtf8, utf8Bytes } from './utf8-text.ts';

/** sprig's JSON, base64 and digest functions. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Go's base64.StdEncoding.DecodeString: padding required, CR and LF ignored. Returns the bytes, or the
 * offset of the first bad byte (sprig then prints Go's error text instead of the value).
 */
function decodeBase64(src: string): Uint8Array | number {
  const out: number[] = [];
  let si = 0;
  const skipNewlines = (): void => {
    while (src[si] === '\r' || src[si] === '\n') si++;
  };
  for (;;) {
    const quantum = [0, 0, 0, 0];
    let length = 4;
    for (let j = 0; j < 4; ) {
      skipNewlines();
      if (si === src.length) {
        if (j === 0) return Uint8Array.from(out);
        return si - j;
      }
      const ch = src[si] ?? '';
      si++;
      const value = ALPHABET.indexOf(ch);
      if (value >= 0 && ch !== '') {
        quantum[j++] = value;
        continue;
      }
      if (ch !== '=' || j < 2) return si - 1;
      if (j === 2) {
        skipNewlines();
        if (si === src.length) return src.length;
        if (src[si] !== '=') return si - 1;
        si++;
      }
      skipNewlines();
      if (si < src.length) return si;
      length = j;
      break;
    }
    const [a = 0, b = 0, c = 0, d = 0] = quantum;
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    out.push((bits >> 16) & 0xff);
    if (length > 2) out.push((bits >> 8) & 0xff);
    if (length > 3) out.push(bits & 0xff);
    if (length < 4) return Uint8Array.from(out);
  }
}

function fromJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function digest(algorithm: 'sha1' | 'sha256', text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

const s = (value: unknown): string => value as string;

export const sprigEncodingFunctions: FunctionTable = {
  toJson: { params: ['any'], fn: ([value]) => encodeGoJson(value, { escapeHtml: true }) ?? '' },
  toPrettyJson: { params: ['any'], fn: ([value]) => encodeGoJson(value, { escapeHtml: true, indent: '  ' }) ?? '' },
  toRawJson: { params: ['any'], fn: ([value]) => encodeGoJson(value, { escapeHtml: false }) ?? '' },
  fromJson: { params: ['string'], fn: ([text]) => fromJson(s(text)) },
  b64enc: { params: ['string'], fn: ([text]) => Buffer.from(utf8Bytes(s(text))).toString('base64') },
  b64dec: {
    params: ['string'],
    fn: ([text]) => {
      const decoded = decodeBase64(s(text));
      return typeof decoded === 'number' ? `illegal base64 data at input byte ${decoded}` : decodeUtf8(decoded);
    },
  },
  sha1sum: { params: ['string'], fn: ([text]) => digest('sha1', s(text)) },
  sha256sum: { params: ['string'], fn: ([text]) => digest('sha256', s(text)) },
};
