import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A private CA, a nats-server certificate for 127.0.0.1 and a client certificate, all signed by it (PEM files). */
export interface NatsPki {
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A client certificate from another CA: what a server with `verify: true` must refuse. */
  readonly strangerCertFile: string;
  readonly strangerKeyFile: string;
  /** The `tls { … verify: true }` block of a nats-server config that requires a client certificate. */
  readonly mtlsConfig: string;
}

const opensslConfig = `
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
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Throwaway certificates for a mutual-TLS nats-server (node:crypto cannot sign X.509: the openssl CLI does). */
export async function generateNatsPki(dir: string): Promise<NatsPki> {
  await mkdir(dir, { recursive: true });
  const cnf = join(dir, 'openssl.cnf');
  await writeFile(cnf, opensslConfig);
  const f = (name: string) => join(dir, name);
  const ca = async (name: string) => openssl(['req', '-x509', '-new', ...ecKey, '-config', cnf, '-extensions', 'ca', '-subj', `/CN=${name}`, '-days', '2', '-keyout', f(`${name}.key`), '-out', f(`${name}.crt`)]);
  const leaf = async (name: string, signer: string, extensions: string) => {
    await openssl(['req', '-new', ...ecKey, '-config', cnf, '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`)]);
    await openssl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${signer}.crt`), '-CAkey', f(`${signer}.key`), '-CAcreateserial', '-days', '2', '-extfile', cnf, '-extensions', extensions, '-out', f(`${name}.crt`)]);
  };
  await ca('herald-nats-ca');
  await ca('stranger-ca');
  await leaf('nats-server', 'herald-nats-ca', 'server');
  await leaf('herald-client', 'herald-nats-ca', 'client');
  await leaf('stranger', 'stranger-ca', 'client');
  return {
    caFile: f('herald-nats-ca.crt'),
    serverCertFile: f('nats-server.crt'),
    serverKeyFile: f('nats-server.key'),
    clientCertFile: f('herald-client.crt'),
    clientKeyFile: f('herald-client.key'),
    strangerCertFile: f('stranger.crt'),
    strangerKeyFile: f('stranger.key'),
    mtlsConfig: `tls {\n  cert_file: "${f('nats-server.crt')}"\n  key_file: "${f('nats-server.key')}"\n  ca_file: "${f('herald-nats-ca.crt')}"\n  verify: true\n}\n`,
  };
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim()}`, { cause: err });
  }
}
