import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';

type KeyPair = ReturnType<typeof nkeys.createUser>;

/**
 * A decentralized-auth setup as `nsc` would make it (nsc is not available here): an operator, a system account
 * and an account it signed with JetStream allowed, users the account signed, each as a `.creds` file.
 */
export interface NatsAccounts {
  /** The nats-server config: the operator, its system account, and a memory resolver holding the accounts' JWTs. */
  readonly config: string;
  /** A user of the account: what the server lets in. */
  readonly credsFile: string;
  /** A user signed by an account the server does not know. */
  readonly strangerCredsFile: string;
  /** The account user's JWT with another user's seed: cannot sign the server's nonce as that user. */
  readonly mismatchedCredsFile: string;
}

const unlimited = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };

/** Writes the operator, account and user JWTs and the creds files under `dir`. */
export async function generateNatsAccounts(dir: string): Promise<NatsAccounts> {
  await mkdir(dir, { recursive: true });
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  // JetStream needs the server's system account to exist.
  const system = nkeys.createAccount();
  const operatorJwt = signJwt(operator, operator, 'herald-test', { type: 'operator', version: 2, system_account: system.getPublicKey() });
  const systemJwt = signJwt(operator, system, 'SYS', { type: 'account', version: 2, limits: unlimited });
  // JetStream is on for an account whose limits give it storage (-1: no limit).
  const accountJwt = signJwt(operator, account, 'HERALD', {
    type: 'account',
    version: 2,
    limits: { ...unlimited, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 },
    default_permissions: { pub: {}, sub: {} },
  });
  const stranger = nkeys.createAccount();
  const files = {
    operator: join(dir, 'operator.jwt'),
    creds: join(dir, 'herald.creds'),
    stranger: join(dir, 'stranger.creds'),
    mismatched: join(dir, 'mismatched.creds'),
  };
  const user = nkeys.createUser();
  const userJwt = userJwtOf(account, user);
  await writeFile(files.operator, operatorJwt);
  await writeFile(files.creds, creds(userJwt, user), { mode: 0o600 });
  const strangerUser = nkeys.createUser();
  await writeFile(files.stranger, creds(userJwtOf(stranger, strangerUser), strangerUser), { mode: 0o600 });
  await writeFile(files.mismatched, creds(userJwt, nkeys.createUser()), { mode: 0o600 });
  return {
    config: [
      `operator: "${files.operator}"`,
      `system_account: ${system.getPublicKey()}`,
      'resolver: MEMORY',
      `resolver_preload: { ${account.getPublicKey()}: "${accountJwt}", ${system.getPublicKey()}: "${systemJwt}" }`,
    ].join('\n'),
    credsFile: files.creds,
    strangerCredsFile: files.stranger,
    mismatchedCredsFile: files.mismatched,
  };
}

function userJwtOf(account: KeyPair, user: KeyPair): string {
  return signJwt(account, user, 'herald', { type: 'user', version: 2, pub: {}, sub: {}, subs: -1, data: -1, payload: -1 });
}

/**
 * A NATS JWT (github.com/nats-io/jwt/v2): `{typ: JWT, alg: ed25519-nkey}`, the claims with `jti` the
 * base32 SHA-256 of the claims without it, signed with the issuer's nkey; base64url without padding.
 */
function signJwt(issuer: KeyPair, subject: KeyPair, name: string, nats: Record<string, unknown>): string {
  const claims: Record<string, unknown> = { jti: '', iat: Math.floor(Date.now() / 1000), iss: issuer.getPublicKey(), name, sub: subject.getPublicKey(), nats };
  claims.jti = base32(createHash('sha256').update(JSON.stringify(claims)).digest());
  const body = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }))}.${b64url(JSON.stringify(claims))}`;
  return `${body}.${Buffer.from(issuer.sign(new TextEncoder().encode(body))).toString('base64url')}`;
}

/** The `.creds` file `nsc` writes: the user JWT, then its nkey seed. */
function creds(jwt: string, user: KeyPair): string {
  const seed = new TextDecoder().decode(user.getSeed());
  return `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`;
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
