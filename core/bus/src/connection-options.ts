import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type Authenticator, type NodeConnectionOptions } from '@nats-io/transport-node';
import { BusError, BusErrorCodes } from './errors.ts';

/** How a client proves who it is; at most one kind (the config schema enforces it). */
export interface NatsAuth {
  token?: string;
  user?: string;
  password?: string;
  /** A `.creds` file (user JWT + nkey seed), as `nsc` writes it. */
  credsFile?: string;
  /** A file holding an nkey user seed (`SU…`), for servers with `nkey` users. */
  nkeySeedFile?: string;
}

/**
 * TLS to the servers. Files are read again on every (re)connect, so a rotated certificate (cert-manager)
 * is picked up without a restart.
 */
export interface NatsTls {
  /** PEM CA bundle the servers' certificates are checked against (a private CA); default: the system's. */
  ca?: string;
  /** PEM client certificate and its key, for servers that verify clients (`verify: true`, mTLS). */
  cert?: string;
  key?: string;
  /** TLS before the NATS INFO line: only for servers configured with `handshake_first`. */
  handshakeFirst?: boolean;
}

/** Where NATS is and how to get in: shared by the engine's bus and the operators' dead-letter store. */
export interface NatsConnectionOptions {
  servers: string[];
  /** Connection name shown by the server (`nats server report connections`). */
  name: string;
  auth?: NatsAuth;
  tls?: NatsTls;
}

/** The one place NATS client options are built from Herald's; `extra` sets reconnect and timeouts. */
export function natsConnectOptions(options: NatsConnectionOptions, extra: Omit<NodeConnectionOptions, 'servers' | 'name'>): NodeConnectionOptions {
  const { auth, tls } = options;
  return {
    servers: options.servers,
    name: options.name,
    // nats.js otherwise builds an Error (a stack trace) per request, ack and KV read, only to append it to a
    // failure's stack: ~5 % of the CPU of a burst. Herald's errors say what failed without it.
    noAsyncTraces: true,
    ...extra,
    ...(auth?.token ? { token: auth.token } : {}),
    ...(auth?.user ? { user: auth.user, pass: auth.password ?? '' } : {}),
    ...(auth?.credsFile || auth?.nkeySeedFile ? { authenticator: fileAuthenticator(auth) } : {}),
    ...(tls
      ? {
          tls: {
            ...(tls.ca ? { caFile: tls.ca } : {}),
            ...(tls.cert ? { certFile: tls.cert } : {}),
            ...(tls.key ? { keyFile: tls.key } : {}),
            ...(tls.handshakeFirst ? { handshakeFirst: true } : {}),
          },
        }
      : {}),
  };
}

/** Reads the creds or seed file on each (re)connect, so a rotated file is used without a restart. */
function fileAuthenticator(auth: NatsAuth): Authenticator {
  const read = (path: string, what: string) => () => {
    try {
      return readFileSync(path);
    } catch (cause) {
      throw new BusError(BusErrorCodes.connect, `cannot read the NATS ${what} file ${path} (nats.auth): ${String(cause)}`, { cause });
    }
  };
  if (auth.credsFile) return credsAuthenticator(read(auth.credsFile, 'credentials'));
  const seed = read(auth.nkeySeedFile!, 'nkey seed');
  // The file may end with a newline (or hold comments around the seed, as nsc writes): keep the seed line only.
  return nkeyAuthenticator(() => {
    const line = seed().toString('utf8').split(/\r?\n/).map((l) => l.trim()).find((l) => /^SU[A-Z2-7]+$/.test(l));
    if (!line) throw new BusError(BusErrorCodes.connect, `${auth.nkeySeedFile} holds no nkey user seed (a line starting with SU) (nats.auth.nkeySeedFile)`);
    return new TextEncoder().encode(line);
  });
}
