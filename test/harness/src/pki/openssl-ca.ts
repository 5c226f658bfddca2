import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Short-lived on purpose: these files only ever serve one test run.
const validDays = '2';
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

// Our own config instead of the system openssl.cnf, so the extensions do not depend on the distribution's
// defaults (some add CA:TRUE to every `req -x509`).
const opensslConfig = (sans: string) => `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = ${sans}
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

/**
 * Throwaway ECDSA certificates in one directory, made with the openssl CLI (node:crypto cannot sign X.509):
 * CAs, and server or client certificates signed by one of them. Each is `<name>.crt` + `<name>.key`.
 */
export class OpensslCa {
  readonly #dir: string;
  readonly #cnf: string;

  private constructor(dir: string) {
    this.#dir = dir;
    this.#cnf = join(dir, 'openssl.cnf');
  }

  /** A directory for certificates whose server certificates name `sans` (`IP:127.0.0.1, DNS:localhost`). */
  static async in(dir: string, sans = 'IP:127.0.0.1, DNS:localhost'): Promise<OpensslCa> {
    await mkdir(dir, { recursive: true });
    const ca = new OpensslCa(dir);
    await writeFile(ca.#cnf, opensslConfig(sans));
    return ca;
  }

  /** The path of a file in the directory. */
  file(name: string): string {
    return join(this.#dir, name);
  }

  /** A self-signed CA, `name`.crt and `name`.key. */
  async ca(name: string, subject = `/CN=${name}`): Promise<void> {
    await openssl(['req', '-x509', '-new', ...ecKey, '-config', this.#cnf, '-extensions', 'ca', '-subj', subject, '-days', validDays, '-keyout', this.file(`${name}.key`), '-out', this.file(`${name}.crt`)]);
  }

  /** A certificate for a server or a client, signed by the CA `signer`. */
  async leaf(name: string, signer: string, kind: 'server' | 'client', subject = `/CN=${name}`): Promise<void> {
    await openssl(['req', '-new', ...ecKey, '-config', this.#cnf, '-subj', subject, '-keyout', this.file(`${name}.key`), '-out', this.file(`${name}.csr`)]);
    await openssl(['x509', '-req', '-in', this.file(`${name}.csr`), '-CA', this.file(`${signer}.crt`), '-CAkey', this.file(`${signer}.key`), '-CAcreateserial', '-days', validDays, '-extfile', this.#cnf, '-extensions', kind, '-out', this.file(`${name}.crt`)]);
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim()}`, { cause: err });
  }
}
