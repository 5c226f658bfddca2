import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Paths of the certificates and keys a test control plane needs, all under one directory. */
export interface ControlPlanePki {
  readonly dir: string;
  readonly caFile: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
  readonly serviceAccountPrivateKeyFile: string;
}

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
[serving]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = ${sans}
authorityKeyIdentifier = keyid
`;

// Short-lived on purpose: these files only ever serve one test run.
const validDays = '2';
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Makes a throwaway CA, a serving certificate for 127.0.0.1/localhost (and `address`, when the server listens
 * elsewhere) signed by it, and an ECDSA key pair for service-account tokens. node:crypto cannot sign X.509
 * certificates, so the certificates come from the openssl CLI.
 */
export async function generatePki(dir: string, address = '127.0.0.1'): Promise<ControlPlanePki> {
  await mkdir(dir, { recursive: true });
  const cnf = join(dir, 'openssl.cnf');
  const ips = [...new Set(['127.0.0.1', address])];
  await writeFile(cnf, opensslConfig([...ips.map((ip) => `IP:${ip}`), 'DNS:localhost'].join(', ')));
  const pki: ControlPlanePki = {
    dir,
    caFile: join(dir, 'ca.crt'),
    servingCertFile: join(dir, 'serving.crt'),
    servingKeyFile: join(dir, 'serving.key'),
    serviceAccountPublicKeyFile: join(dir, 'sa.pub'),
    serviceAccountPrivateKeyFile: join(dir, 'sa.key'),
  };
  const caKey = join(dir, 'ca.key');
  const csr = join(dir, 'serving.csr');
  await openssl(['req', '-x509', '-new', ...ecKey, '-config', cnf, '-extensions', 'ca', '-subj', '/CN=herald-test-ca',
    '-days', validDays, '-keyout', caKey, '-out', pki.caFile]);
  await openssl(['req', '-new', ...ecKey, '-config', cnf, '-subj', `/CN=${address}`,
    '-keyout', pki.servingKeyFile, '-out', csr]);
  await openssl(['x509', '-req', '-in', csr, '-CA', pki.caFile, '-CAkey', caKey, '-CAcreateserial',
    '-days', validDays, '-extfile', cnf, '-extensions', 'serving', '-out', pki.servingCertFile]);

  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(pki.serviceAccountPublicKeyFile, sa.publicKey.export({ type: 'spki', format: 'pem' }));
  await writeFile(pki.serviceAccountPrivateKeyFile, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  return pki;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim()}`, { cause: err });
  }
}
