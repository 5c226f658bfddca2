import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { KubeConfigError } from './errors.ts';

/**
 * A kubeconfig's clusters, users and contexts, in the shapes (and with the checks and messages)
 * client-node's `KubeConfig` gives them, so that the rare configuration Herald hands on to client-node
 * (see kubeconfig-credentials.ts) means exactly what it meant to Herald.
 */
export interface KubeconfigDocument {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
}

type Raw = Record<string, unknown>;

const record = (value: unknown): Raw | undefined => (value && typeof value === 'object' ? (value as Raw) : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Reads a kubeconfig file; relative certificate and key paths in it are relative to its directory, as kubectl has them. */
export function readKubeconfigFile(file: string): KubeconfigDocument {
  const parsed: unknown = parse(readFileSync(file, 'utf8'));
  const doc = record(parsed);
  if (!doc) throw new KubeConfigError(`cannot load kubeconfig ${file}: it is not a YAML mapping`);
  const root = dirname(file);
  const absolute = (path: string | undefined) => (path && !isAbsolute(path) ? join(root, path) : path);
  return {
    clusters: list(doc.clusters).map((entry, i) => {
      const cluster = record(entry.cluster);
      if (!entry.name) throw new Error(`clusters[${i}].name is missing`);
      if (!cluster) throw new Error(`clusters[${i}].cluster is missing`);
      if (!cluster.server) throw new Error(`clusters[${i}].cluster.server is missing`);
      return defined({
        name: String(entry.name),
        server: String(cluster.server).replace(/\/$/, ''),
        caData: str(cluster['certificate-authority-data']),
        caFile: absolute(str(cluster['certificate-authority'])),
        skipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
        tlsServerName: str(cluster['tls-server-name']),
        proxyUrl: str(cluster['proxy-url']),
      }) as Cluster;
    }),
    users: list(doc.users).map((entry, i) => {
      if (!entry.name) throw new Error(`users[${i}].name is missing`);
      const user = record(entry.user) ?? {};
      const tokenFile = str(user['token-file']);
      return defined({
        name: String(entry.name),
        authProvider: user['auth-provider'],
        exec: user.exec,
        certData: str(user['client-certificate-data']),
        certFile: absolute(str(user['client-certificate'])),
        keyData: str(user['client-key-data']),
        keyFile: absolute(str(user['client-key'])),
        // A token file is read once, when the kubeconfig is loaded (as client-node and kubectl do).
        token: str(user.token) || (tokenFile ? readFileSync(tokenFile, 'utf8') : undefined),
        username: str(user.username),
        password: str(user.password),
        impersonateUser: str(user.as),
      }) as User;
    }),
    contexts: list(doc.contexts).map((entry, i) => {
      const context = record(entry.context);
      if (!entry.name) throw new Error(`contexts[${i}].name is missing`);
      if (!context) throw new Error(`contexts[${i}].context is missing`);
      if (!context.cluster) throw new Error(`contexts[${i}].context.cluster is missing`);
      return defined({
        name: String(entry.name),
        cluster: String(context.cluster),
        user: str(context.user) || undefined,
        namespace: str(context.namespace) || undefined,
      }) as Context;
    }),
    currentContext: str(doc['current-context']) as string,
  };
}

/** The in-cluster configuration: the service account's token (re-read as it rotates) and CA, the API server from the Service's env. */
export function inClusterDocument(serviceAccountDir: string, env: NodeJS.ProcessEnv): KubeconfigDocument {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '';
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  const namespaceFile = join(serviceAccountDir, 'namespace');
  let namespace: string | undefined;
  try {
    namespace = readFileSync(namespaceFile, 'utf8');
  } catch {
    // No namespace mounted: the caller falls back to `default`.
  }
  return {
    clusters: [{ name: 'inCluster', server: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`, caFile: join(serviceAccountDir, 'ca.crt'), skipTLSVerify: false }],
    // The same auth provider client-node's loadFromCluster names: a token file re-read every minute.
    users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: join(serviceAccountDir, 'token') } } }],
    contexts: [defined({ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', namespace }) as Context],
    currentContext: 'inClusterContext',
  };
}

/** Adds `next`'s entries to `into`, keeping `into`'s current context (the first file's, as kubectl merges $KUBECONFIG). */
export function mergeDocuments(into: KubeconfigDocument, next: KubeconfigDocument): void {
  const add = <T extends { name: string }>(kind: string, list: T[], more: T[]) => {
    for (const entry of more) {
      if (list.some((e) => e.name === entry.name)) throw new KubeConfigError(`Duplicate ${kind}: ${entry.name}`);
      list.push(entry);
    }
  };
  add('cluster', into.clusters, next.clusters);
  add('user', into.users, next.users);
  add('context', into.contexts, next.contexts);
}

function list(value: unknown): Raw[] {
  return Array.isArray(value) ? value.map((entry) => record(entry) ?? {}) : [];
}

/** Drops undefined fields (exactOptionalPropertyTypes, and client-node's objects have none). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}
