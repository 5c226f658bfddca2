import { createHmac, scryptSync } from 'node:crypto';
import type { FunctionTable } from './function-types.ts';
import { spendSteps } from './render-budget.ts';
import { FunctionError } from './template-errors.ts';

/**
 * sprig's `derivePassword counter type password user site`: the Master Password algorithm (v3), written
 * from its published description. The user's key is scrypt(password, scope ‖ len(user) ‖ user, N=32768,
 * r=8, p=2, 64 bytes); the site's seed is HMAC-SHA256(key, scope ‖ len(site) ‖ site ‖ counter), lengths
 * and counter as 32-bit big-endian; the seed's first byte picks one of the type's templates, each next
 * byte a character of the class the template names at that place.
 */

const SCOPE = 'com.lyndir.masterpassword';

const TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  maximum: ['anoxxxxxxxxxxxxxxxxx', 'axxxxxxxxxxxxxxxxxno'],
  long: [
    'CvcvnoCvcvCvcv', 'CvcvCvcvnoCvcv', 'CvcvCvcvCvcvno', 'CvccnoCvcvCvcv', 'CvccCvcvnoCvcv', 'CvccCvcvCvcvno', 'CvcvnoCvccCvcv',
    'CvcvCvccnoCvcv', 'CvcvCvccCvcvno', 'CvcvnoCvcvCvcc', 'CvcvCvcvnoCvcc', 'CvcvCvcvCvccno', 'CvccnoCvccCvcv', 'CvccCvccnoCvcv',
    'CvccCvccCvcvno', 'CvcvnoCvccCvcc', 'CvcvCvccnoCvcc', 'CvcvCvccCvccno', 'CvccnoCvcvCvcc', 'CvccCvcvnoCvcc', 'CvccCvcvCvccno',
  ],
  medium: ['CvcnoCvc', 'CvcCvcno'],
  short: ['Cvcn'],
  basic: ['aaanaaan', 'aannaaan', 'aaannaaa'],
  pin: ['nnnn'],
};

const CLASSES: Readonly<Record<string, string>> = {
  V: 'AEIOU',
  C: 'BCDFGHJKLMNPQRSTVWXYZ',
  v: 'aeiou',
  c: 'bcdfghjklmnpqrstvwxyz',
  A: 'AEIOUBCDFGHJKLMNPQRSTVWXYZ',
  a: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz',
  n: '0123456789',
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()',
};

/**
 * One key derivation is one scrypt (32 MiB; 0.1 to 0.6 s on a busy core, about what the whole render
 * budget allows): it costs half the budget, so a render derives at most two keys. The last user's key
 * is kept, so more sites or counters for the same user cost only an HMAC.
 */
const DERIVATION_STEPS = 500_000;
let lastKey: { readonly password: string; readonly user: string; readonly key: Buffer } | undefined;

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

function scoped(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from(SCOPE, 'utf8'), uint32(bytes.length), bytes]);
}

function userKey(password: string, user: string): Buffer {
  if (lastKey?.password === password && lastKey.user === user) return lastKey.key;
  spendSteps(DERIVATION_STEPS);
  const key = scryptSync(Buffer.from(password, 'utf8'), scoped(user), 64, { N: 32768, r: 8, p: 2, maxmem: 64 * 1024 * 1024 });
  lastKey = { password, user, key };
  return key;
}

export function derivePassword(counter: number, type: string, password: string, user: string, site: string): string {
  const templates = Object.hasOwn(TEMPLATES, type) ? TEMPLATES[type] : undefined;
  // sprig returns this text rather than failing.
  if (templates === undefined) return `cannot find password template ${type}`;
  if (counter < 0 || counter > 0xffffffff) throw new FunctionError(`expected unsigned integer; found ${counter}`);
  const seed = createHmac('sha256', userKey(password, user))
    .update(Buffer.concat([scoped(site), uint32(counter)]))
    .digest();
  const template = templates[(seed[0] ?? 0) % templates.length] ?? '';
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const characters = CLASSES[template[i] ?? ''] ?? '';
    out += characters[(seed[i + 1] ?? 0) % characters.length] ?? '';
  }
  return out;
}

export const sprigPasswordFunctions: FunctionTable = {
  derivePassword: {
    params: ['int', 'string', 'string', 'string', 'string'],
    fn: ([counter, type, password, user, site]) => derivePassword(counter as number, type as string, password as string, user as string, site as string),
  },
};
