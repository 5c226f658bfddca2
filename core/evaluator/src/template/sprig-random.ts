import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { checkGeneratedLength, type FunctionTable } from './function-types.ts';
import { FunctionError } from './template-errors.ts';

/** sprig's random functions, from node:crypto's generator as sprig uses crypto/rand. */

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
/** goutils' ASCII range: the printable characters from space to `~`. */
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

function randomFrom(alphabet: string, count: number): string {
  if (count < 0) throw new FunctionError(`Requested random string length ${count} is less than 0.`);
  checkGeneratedLength(count);
  let out = '';
  for (let i = 0; i < count; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

const n = (value: unknown): number => value as number;

export const sprigRandomFunctions: FunctionTable = {
  uuidv4: { params: [], fn: () => randomUUID() },
  randAlphaNum: { params: ['int'], fn: ([count]) => randomFrom(LETTERS + DIGITS, n(count)) },
  randAlpha: { params: ['int'], fn: ([count]) => randomFrom(LETTERS, n(count)) },
  randNumeric: { params: ['int'], fn: ([count]) => randomFrom(DIGITS, n(count)) },
  randAscii: { params: ['int'], fn: ([count]) => randomFrom(ASCII, n(count)) },
  randBytes: {
    params: ['int'],
    fn: ([count]) => {
      checkGeneratedLength(n(count));
      return randomBytes(Math.max(0, n(count))).toString('base64');
    },
  },
  randInt: {
    params: ['int', 'int'],
    fn: ([min, max]) => {
      if (n(max) <= n(min)) throw new FunctionError('invalid argument to Intn');
      return n(min) + Math.floor(Math.random() * (n(max) - n(min)));
    },
  },
};
