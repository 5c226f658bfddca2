import { createKubeClient, loadKubeConfig, type KubeClient } from '@herald/core-kube';
import type { EngineConfig } from '../config/engine-config.schema.ts';
import { injectableWith } from '../injectable.ts';
import { CoreTokens } from '../tokens.ts';

/** The Kubernetes API the core roles use, connected on first use (a run from files may never need it). */
export class KubeConnection {
  readonly #config: EngineConfig;
  #connected: { client: KubeClient; namespace: string } | undefined;

  constructor(config: EngineConfig) {
    this.#config = config;
  }

  get client(): KubeClient {
    return this.#connect().client;
  }

  /** $POD_NAMESPACE, else the kubeconfig context's namespace, else `default`. */
  get namespace(): string {
    return this.#connect().namespace;
  }

  #connect(): { client: KubeClient; namespace: string } {
    if (this.#connected) return this.#connected;
    const { kubeconfig, context } = this.#config.kubernetes;
    const { kc, namespace } = loadKubeConfig({ ...(kubeconfig ? { path: kubeconfig } : {}), ...(context ? { context } : {}) });
    return (this.#connected = { client: createKubeClient(kc, { userAgent: 'herald' }), namespace });
  }
}
injectableWith(KubeConnection, [CoreTokens.engineConfig]);
