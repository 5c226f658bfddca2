import type { Lease } from '@herald/core-kube';
import type { EngineConfig } from '@herald/core-kernel';

const KUBERNETES_SOURCE = '@herald/source-kubernetes';

export interface SourceLeader {
  lease: string;
  /** The holder's identity (`<host>_<pid>_<random>`); null when nobody holds it. */
  holder: string | null;
  renewTime: string | null;
  /** Set when the Lease could not be read. */
  problem?: string;
}

/**
 * Who publishes resource events: the holder of the Kubernetes source's Lease, read from the cluster the
 * source's options (or $KUBECONFIG) name. Undefined when the engine config lists no Kubernetes source.
 */
export async function sourceLeader(engine: EngineConfig, timeoutMs: number): Promise<SourceLeader | undefined> {
  const entry = engine.plugins.find((p) => p.name === KUBERNETES_SOURCE);
  if (!entry) return undefined;
  const options = (entry.options ?? {}) as { kubeconfig?: string; context?: string; leaderElection?: { leaseName?: string; namespace?: string } };
  const name = options.leaderElection?.leaseName ?? 'herald-source';
  let lease = name;
  try {
    // Loaded only here: the Kubernetes client is no cost to the commands that never reach a cluster.
    const { createKubeClient, leasePath, loadKubeConfig } = await import('@herald/core-kube');
    const loaded = loadKubeConfig({ ...(options.kubeconfig ? { path: options.kubeconfig } : {}), ...(options.context ? { context: options.context } : {}) });
    const namespace = options.leaderElection?.namespace ?? loaded.namespace;
    lease = `${namespace}/${name}`;
    const found = await createKubeClient(loaded.kc).get<Lease>(leasePath(namespace, name), {}, AbortSignal.timeout(timeoutMs));
    return { lease, holder: found.spec?.holderIdentity || null, renewTime: found.spec?.renewTime ?? null };
  } catch (err) {
    return { lease, holder: null, renewTime: null, problem: (err as Error).message };
  }
}
