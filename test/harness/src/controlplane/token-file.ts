import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';

/** A user the apiserver knows by a static bearer token. */
export interface TokenUser {
  readonly name: string;
  readonly token: string;
  readonly groups: readonly string[];
}

/** A user with a fresh random token. */
export function tokenUser(name: string, groups: readonly string[] = []): TokenUser {
  return { name, token: randomBytes(24).toString('hex'), groups };
}

/**
 * Writes the CSV that `--token-auth-file` reads: `token,user,uid[,"group1,group2"]`.
 * The uid is the user name: tests never need them to differ.
 */
export async function writeTokenFile(path: string, users: readonly TokenUser[]): Promise<void> {
  const lines = users.map((u) => {
    const base = `${u.token},${u.name},${u.name}`;
    return u.groups.length > 0 ? `${base},"${u.groups.join(',')}"` : base;
  });
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}
