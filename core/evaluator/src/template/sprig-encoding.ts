import { createHash } from 'node:crypto';
import type { FunctionTable } from './function-types.ts';
import { encodeGoJson, type GoJsonOptions } from './go-json.ts';
import { FunctionError } from './template-errors.ts';
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

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** base32.StdEncoding.EncodeToString */
function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let buffer = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

/** base32.StdEncoding.DecodeString (CR and LF ignored, padding required); Go's error text for bad input, as sprig returns it. */
function decodeBase32(text: string): string {
  const src = text.replace(/[\r\n]/g, '');
  const bad = (at: number): string => `illegal base32 data at input byte ${at}`;
  if (src.length % 8 !== 0) return bad(Math.floor(src.length / 8) * 8);
  const padding = /=*$/.exec(src)?.[0].length ?? 0;
  if (![0, 1, 3, 4, 6].includes(padding)) return bad(src.length - padding);
  const body = src.slice(0, src.length - padding);
  const out: number[] = [];
  let bits = 0;
  let buffer = 0;
  for (const [i, ch] of Array.from(body).entries()) {
    const value = BASE32.indexOf(ch);
    if (value < 0) return bad(i);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return decodeUtf8(Uint8Array.from(out));
}

/** hash/adler32.Checksum */
function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return b * 65536 + a;
}

function digest(algorithm: 'sha1' | 'sha256' | 'sha512', text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

/** The must- variants: an error where Go's encoder fails, not an empty string. */
function mustEncode(value: unknown, options: GoJsonOptions): string {
  const text = encodeGoJson(value, options);
  if (text === undefined) throw new FunctionError('json: unsupported value');
  return text;
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
  sha512sum: { params: ['string'], fn: ([text]) => digest('sha512', s(text)) },
  adler32sum: { params: ['string'], fn: ([text]) => String(adler32(utf8Bytes(s(text)))) },
  b32enc: { params: ['string'], fn: ([text]) => encodeBase32(utf8Bytes(s(text))) },
  b32dec: { params: ['string'], fn: ([text]) => decodeBase32(s(text)) },
  mustFromJson: {
    params: ['string'],
    fn: ([text]) => {
      try {
        return JSON.parse(s(text)) as unknown;
      } catch (error) {
        throw new FunctionError((error as Error).message);
      }
    },
  },
  mustToJson: { params: ['any'], fn: ([value]) => mustEncode(value, { escapeHtml: true }) },
  mustToPrettyJson: { params: ['any'], fn: ([value]) => mustEncode(value, { escapeHtml: true, indent: '  ' }) },
  mustToRawJson: { params: ['any'], fn: ([value]) => mustEncode(value, { escapeHtml: false }) },
};
