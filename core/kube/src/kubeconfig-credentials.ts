import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import type { KubeCredentials } from './kube-credentials.ts';
import type { KubeconfigDocument } from './kubeconfig-document.ts';

// client-node's FileAuth (the in-cluster token) re-reads the token this often, as client-go does. The CA,
// client certificate and key files are read as often: a rotated one is picked up within a minute, and a request
// reads no file (before: three synchronous reads per request, about 1 % of a burst's CPU; docs/benchmarks.md).
const credentialFileTtlMs = 60_000;

/**
 * A loaded kubeconfig that authenticates requests itself for the common forms — bearer token (inline,
 * token file, in-cluster service account), client certificate, basic auth, CA and TLS settings,
 * impersonation — and hands the rest (exec and auth-provider plugins, proxies) to client-node's
 * `KubeConfig`, imported only then. Why: importing client-node loads every generated API model, about
 * 80 MiB of RSS measured (docs/benchmarks.md "Memory (third wave)"), for a process that only needs this.
 * The native forms do what client-node's `applyToHTTPSOptions` does, field for field.
 */
export class KubeconfigCredentials implements KubeCredentials {
  readonly #doc: KubeconfigDocument;
  /** Credential files (token, CA, client certificate, key) by path, as last read. */
  readonly #files = new Map<string, { bytes: Buffer; readAt: number }>();
  #clientNode: Promise<KubeCredentials> | undefined;

  constructor(doc: KubeconfigDocument) {
    this.#doc = doc;
  }

  getContexts(): readonly Context[] {
    return this.#doc.contexts;
  }

  getContextObject(name: string): Context | null {
    return this.#doc.contexts.find((c) => c.name === name) ?? null;
  }

  getCurrentContext(): string {
    return this.#doc.currentContext;
  }

  setCurrentContext(name: string): void {
    this.#doc.currentContext = name;
    this.#clientNode = undefined;
  }

  getCurrentCluster(): Cluster | null {
    const context = this.getContextObject(this.#doc.currentContext);
    return (context && this.#doc.clusters.find((c) => c.name === context.cluster)) ?? null;
  }

  getCurrentUser(): User | null {
    const context = this.getContextObject(this.#doc.currentContext);
    return (context && this.#doc.users.find((u) => u.name === context.user)) ?? null;
  }

  /** Whether requests go through client-node: an auth plugin or a proxy Herald does not implement itself. */
  get needsClientNode(): boolean {
    const user = this.getCurrentUser();
    const provider = user?.authProvider as { name?: unknown } | undefined;
    return Boolean(this.getCurrentCluster()?.proxyUrl || user?.exec || (provider && provider.name !== 'tokenFile'));
  }

  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    if (this.needsClientNode) return (await (this.#clientNode ??= this.#loadClientNode())).applyToHTTPSOptions(options);
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    if (cluster?.server.startsWith('http:') && !cluster.skipTLSVerify) {
      throw new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false');
    }
    if (!user) return;
    const headers = (options.headers ??= {}) as Record<string, string>;
    if (cluster?.skipTLSVerify) options.rejectUnauthorized = false;
    if (cluster?.tlsServerName) options.servername = cluster.tlsServerName;
    const ca = cluster && this.#bytes(cluster.caFile, cluster.caData);
    if (ca) options.ca = ca;
    const cert = this.#bytes(user.certFile, user.certData);
    if (cert) options.cert = cert;
    const key = this.#bytes(user.keyFile, user.keyData);
    if (key) options.key = key;
    if (user.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
    const tokenFile = (user.authProvider as { config?: { tokenFile?: string } } | undefined)?.config?.tokenFile;
    const token = user.token || (tokenFile ? this.#readFile(tokenFile).toString('utf8') : undefined);
    if (token) headers.Authorization = `Bearer ${token}`;
    if (user.username) options.auth = `${user.username}:${user.password}`;
  }

  #bytes(file: string | undefined, base64: string | undefined): Buffer | undefined {
    if (file) return this.#readFile(file);
    if (base64) return Buffer.from(base64, 'base64');
    return undefined;
  }

  /** The file's bytes, read again once they are a minute old. */
  #readFile(path: string): Buffer {
    const now = Date.now();
    let file = this.#files.get(path);
    if (!file || now - file.readAt > credentialFileTtlMs) this.#files.set(path, (file = { bytes: readFileSync(path), readAt: now }));
    return file.bytes;
  }

  async #loadClientNode(): Promise<KubeCredentials> {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    const { clusters, users, contexts, currentContext } = this.#doc;
    kc.loadFromOptions({ clusters, users, contexts, currentContext });
    return kc;
  }
}
