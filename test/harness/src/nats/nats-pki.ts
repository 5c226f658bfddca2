import { OpensslCa } from '../pki/openssl-ca.ts';

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

/** Throwaway certificates for a mutual-TLS nats-server (node:crypto cannot sign X.509: the openssl CLI does). */
export async function generateNatsPki(dir: string): Promise<NatsPki> {
  const pki = await OpensslCa.in(dir);
  const f = (name: string) => pki.file(name);
  await pki.ca('herald-nats-ca');
  await pki.ca('stranger-ca');
  await pki.leaf('nats-server', 'herald-nats-ca', 'server');
  await pki.leaf('herald-client', 'herald-nats-ca', 'client');
  await pki.leaf('stranger', 'stranger-ca', 'client');
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
