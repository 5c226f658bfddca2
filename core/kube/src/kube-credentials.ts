import type { RequestOptions } from 'node:https';

/** The cluster a kubeconfig's current context points at, as the client needs it. */
export interface KubeCluster {
  readonly name: string;
  readonly server: string;
  readonly proxyUrl?: string | undefined;
}

/**
 * What Herald's Kubernetes client needs from a loaded kubeconfig: where the server is and how to
 * authenticate a request to it. Herald's own loader returns one; client-node's `KubeConfig` is one too
 * (tests and tools that already hold one pass it as is).
 */
export interface KubeCredentials {
  getCurrentContext(): string;
  getCurrentCluster(): KubeCluster | null;
  /**
   * Sets TLS settings (`ca`, `cert`, `key`, `rejectUnauthorized`, `servername`), headers (`Authorization`,
   * `Impersonate-User`), `auth` (basic) and, behind a proxy, `agent` on a request. Called before every
   * request, so a rotated token or certificate is picked up.
   */
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}
