import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OpensslCa } from '../pki/openssl-ca.ts';

/** Paths of the certificates and keys a test control plane needs, all under one directory. */
export interface ControlPlanePki {
  readonly dir: string;
  readonly caFile: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
  readonly serviceAccountPrivateKeyFile: string;
}

/**
 * Makes a throwaway CA, a serving certificate for 127.0.0.1/localhost (and `address`, when the server listens
 * elsewhere) signed by it, and an ECDSA key pair for service-account tokens. node:crypto cannot sign X.509
 * certificates, so the certificates come from the openssl CLI.
 */
export async function generatePki(dir: string, address = '127.0.0.1'): Promise<ControlPlanePki> {
  const ips = [...new Set(['127.0.0.1', address])];
  const ca = await OpensslCa.in(dir, [...ips.map((ip) => `IP:${ip}`), 'DNS:localhost'].join(', '));
  const pki: ControlPlanePki = {
    dir,
    caFile: ca.file('ca.crt'),
    servingCertFile: ca.file('serving.crt'),
    servingKeyFile: ca.file('serving.key'),
    serviceAccountPublicKeyFile: join(dir, 'sa.pub'),
    serviceAccountPrivateKeyFile: join(dir, 'sa.key'),
  };
  await ca.ca('ca', '/CN=herald-test-ca');
  await ca.leaf('serving', 'ca', 'server', `/CN=${address}`);

  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(pki.serviceAccountPublicKeyFile, sa.publicKey.export({ type: 'spki', format: 'pem' }));
  await writeFile(pki.serviceAccountPrivateKeyFile, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  return pki;
}
