import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfigError } from './errors.ts';
import { KubeconfigCredentials } from './kubeconfig-credentials.ts';
import { inClusterDocument, mergeDocuments, readKubeconfigFile, type KubeconfigDocument } from './kubeconfig-document.ts';

export interface LoadKubeConfigOptions {
  /** The `kubeconfig` option. */
  path?: string;
  /** The `context` option. */
  context?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Where the service account's token and CA are mounted; a test can point elsewhere. */
  serviceAccountDir?: string;
}

export interface LoadedKubeConfig {
  /** Hand it to createKubeClient. */
  kc: KubeconfigCredentials;
  /** Where it came from, for logs: a path or `in-cluster service account`. */
  origin: string;
  /**
   * The namespace Herald takes as its own where none is configured: `$POD_NAMESPACE` (the downward API),
   * else the context's namespace (in a cluster: the service account's), else `default`.
   */
  namespace: string;
}

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Loads the kubeconfig the source uses: the `kubeconfig` option, else `$KUBECONFIG` (several files joined
 * by ':' are merged, as kubectl does), else the in-cluster service account, else `~/.kube/config`; and the
 * namespace to use where none is configured. The one place Herald resolves either.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): LoadedKubeConfig {
  const env = options.env ?? process.env;
  let doc: KubeconfigDocument;
  let origin: string;
  const files = options.path ? [options.path] : (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const saDir = options.serviceAccountDir ?? serviceAccountDir;
  const homeConfig = join(options.home ?? homedir(), '.kube', 'config');
  if (files.length) {
    origin = files.join(delimiter);
    doc = readFile(files[0]!);
    for (const file of files.slice(1)) mergeDocuments(doc, readFile(file));
  } else if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(join(saDir, 'token'))) {
    origin = 'in-cluster service account';
    doc = inClusterDocument(saDir, env);
  } else if (existsSync(homeConfig)) {
    origin = homeConfig;
    doc = readFile(homeConfig);
  } else {
    throw new KubeConfigError(
      'no kubeconfig found: set the kubeconfig option or $KUBECONFIG, run in a cluster with a service account, or create ~/.kube/config',
    );
  }
  const kc = new KubeconfigCredentials(doc);
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => `"${c.name}"`).join(', ') || 'none';
      throw new KubeConfigError(`context "${options.context}" is not in ${origin} (contexts: ${known})`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new KubeConfigError(`${origin} has no cluster for context "${kc.getCurrentContext()}"`);
  }
  const namespace = env.POD_NAMESPACE || kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
  return { kc, origin, namespace };
}

function readFile(file: string): KubeconfigDocument {
  try {
    return readKubeconfigFile(file);
  } catch (cause) {
    if (cause instanceof KubeConfigError) throw cause;
    throw new KubeConfigError(`cannot load kubeconfig ${file}: ${(cause as Error).message}`, { cause });
  }
}
