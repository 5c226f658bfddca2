import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { freePort } from '../free-port.ts';
import { toolPath } from '../tools.ts';
import { apiserverArgs, type ApiserverLayout } from './apiserver-args.ts';
import { type LoggedProcess, logTail, spawnLogged } from './apiserver-process.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { generatePki } from './pki.ts';
import { waitForReadyz } from './readyz.ts';
import { tokenUser, writeTokenFile } from './token-file.ts';

export interface StartControlPlaneOptions {
  /** The controlplane binary; defaults to HERALD_KUBE_APISERVER, then the dev script's cache. */
  readonly binary?: string;
  /** How long a start (or restart) may take to reach /readyz. Two shared cores are slow: 120 s. */
  readonly startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  readonly stopGraceMs?: number;
  /** More kube-apiserver flags, e.g. `--feature-gates=...`. */
  readonly extraArgs?: readonly string[];
  /**
   * The address of this machine the server listens on, is reached at and has in its certificate; default
   * 127.0.0.1. A container cannot reach the host's loopback: a test that runs Herald in one passes the gateway
   * of a docker network it created (only an address the test made, never 0.0.0.0).
   */
  readonly address?: string;
}

/** A running kube-apiserver with embedded etcd, an admin user and a user with no permissions. */
export interface ControlPlane {
  /** https://ADDRESS:PORT (ADDRESS: the `address` option, 127.0.0.1 by default) */
  readonly server: string;
  /** PEM file of the CA that signed the serving certificate. */
  readonly caFile: string;
  /** Token user in `system:masters`. */
  readonly adminKubeconfigPath: string;
  readonly adminKubeConfig: KubeConfig;
  /** Token user `herald-restricted`, in no group: RBAC grants it nothing until a test does. */
  readonly restrictedKubeconfigPath: string;
  readonly restrictedKubeConfig: KubeConfig;
  readonly restrictedUser: string;
  /** Temp dir with the PKI, the token file, the kubeconfigs, etcd's data and the log. */
  readonly dataDir: string;
  /** stdout and stderr of the server process. */
  readonly logFile: string;
  /**
   * Writes a kubeconfig of the admin or the restricted user with the CA inside it, readable by any uid: for
   * Herald in a container, where dataDir's paths do not exist and the user is not this process's.
   */
  writePortableKubeconfig(path: string, user: 'admin' | 'restricted'): Promise<void>;
  /** Creates a namespace named `<prefix>-<random>` and returns its name. */
  createNamespace(prefix: string): Promise<string>;
  /** Stops the server and starts it again on the same ports and etcd data; resolves once ready. */
  restart(): Promise<void>;
  /** Stops the server and removes dataDir unless HERALD_KEEP_TEST_DIRS=1. Idempotent. */
  stop(): Promise<void>;
}

export const restrictedUserName = 'herald-restricted';

export async function startControlPlane(options: StartControlPlaneOptions = {}): Promise<ControlPlane> {
  const binary = options.binary ?? toolPath('HERALD_KUBE_APISERVER', 'controlplane', 'controlplane');
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const stopGraceMs = options.stopGraceMs ?? 15_000;
  const dataDir = await mkdtemp(join(tmpdir(), 'herald-controlplane-'));
  const logFile = join(dataDir, 'apiserver.log');
  try {
    const port = distinctFreePorts();
    const securePort = await port();
    const address = options.address ?? '127.0.0.1';
    const server = `https://${address}:${securePort}`;
    const pki = await generatePki(join(dataDir, 'pki'), address);
    const layout: ApiserverLayout = {
      address,
      securePort,
      etcdClientPort: await port(),
      etcdPeerPort: await port(),
      etcdDir: join(dataDir, 'etcd'),
      certDir: join(dataDir, 'certs'),
      tokenFile: join(dataDir, 'tokens.csv'),
      pki,
    };
    await mkdir(layout.certDir);
    const admin = tokenUser('herald-admin', ['system:masters']);
    const restricted = tokenUser(restrictedUserName);
    await writeTokenFile(layout.tokenFile, [admin, restricted]);
    const adminKubeconfigPath = join(dataDir, 'admin.kubeconfig');
    const restrictedKubeconfigPath = join(dataDir, 'restricted.kubeconfig');
    const adminKubeConfig = await writeKubeconfig(adminKubeconfigPath, { server, caFile: pki.caFile, user: admin });
    const restrictedKubeConfig = await writeKubeconfig(restrictedKubeconfigPath, {
      server,
      caFile: pki.caFile,
      user: restricted,
    });
    const ca = await readFile(pki.caFile, 'utf8');
    const args = apiserverArgs(layout, options.extraArgs);

    const launch = async (): Promise<LoggedProcess> => {
      const proc = spawnLogged(binary, args, logFile);
      const died = proc.exited.then((e) =>
        e.error
          ? `could not be started from ${binary}: ${e.error.message}`
          : `exited early (code ${e.code}, signal ${e.signal})`,
      );
      const failure = await waitForReadyz({ server, ca, token: admin.token }, startTimeoutMs, died);
      if (failure === undefined) return proc;
      await proc.stop(stopGraceMs);
      const tail = await logTail(logFile);
      const where = `${logFile}, kept with HERALD_KEEP_TEST_DIRS=1`;
      throw new Error(`kube-apiserver at ${server} ${failure}. Its log (${where}) ends with:\n${tail}`);
    };

    let current = await launch();
    let stopping: Promise<void> | undefined;
    const core = adminKubeConfig.makeApiClient(CoreV1Api);
    return {
      server,
      caFile: pki.caFile,
      adminKubeconfigPath,
      adminKubeConfig,
      restrictedKubeconfigPath,
      restrictedKubeConfig,
      restrictedUser: restrictedUserName,
      dataDir,
      logFile,
      async writePortableKubeconfig(path, user) {
        await writeKubeconfig(path, { server, caFile: pki.caFile, user: user === 'admin' ? admin : restricted, ca: 'inline' });
      },
      async createNamespace(prefix) {
        const name = `${dnsLabel(prefix)}-${randomBytes(3).toString('hex')}`;
        await core.createNamespace({ body: { metadata: { name } } });
        return name;
      },
      async restart() {
        if (stopping) throw new Error('restart() after stop()');
        await current.stop(stopGraceMs);
        current = await launch();
      },
      stop() {
        stopping ??= current.stop(stopGraceMs).then(() => removeDir(dataDir));
        return stopping;
      },
    };
  } catch (err) {
    await removeDir(dataDir);
    throw err;
  }
}

// freePort() closes its probe listener, so two calls may hand out the same port.
function distinctFreePorts(): () => Promise<number> {
  const taken = new Set<number>();
  return async () => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
}

// Namespace names are DNS labels: lower case, digits and '-', at most 63 characters.
function dnsLabel(prefix: string): string {
  const cleaned = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return (cleaned || 'test').slice(0, 50);
}

async function removeDir(dir: string): Promise<void> {
  if (process.env.HERALD_KEEP_TEST_DIRS === '1') return;
  await rm(dir, { recursive: true, force: true });
}
