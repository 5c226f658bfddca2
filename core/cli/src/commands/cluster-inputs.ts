import { existsSync, statSync } from 'node:fs';
import { HeraldError } from '@herald/plugin-sdk';
import type { KubeApiError, KubeClient } from '@herald/core-kube';
import { NotificationConfigErrorCodes, readConfigMapYaml, readSecretYaml, type ConfigMapData } from '@herald/core-notification-config';
import { CliErrorCodes } from '../errors.ts';
import { readInput, readResource } from './notification-inputs.ts';

/**
 * Where the notification config and the object come from, with `argocd admin notifications`' flags: a file
 * for each that names one, the cluster in the kubeconfig for the others.
 */
export interface ClusterInputOptions {
  /** `--config-map FILE` (`-` for stdin); absent: the ConfigMap `names.configMap` read from the cluster. */
  configMap?: string | undefined;
  /**
   * `--secret FILE`, or `:empty` for none; absent: the Secret `names.secret` read from the cluster when the
   * ConfigMap is read from it too, else none (files alone never reach for a cluster).
   */
  secret?: string | undefined;
  /** A resource file (`-` for stdin), or `<kind>[.<group>]/<name>` read from the cluster (`deploy/web`, `certificates.cert-manager.io/tls`). */
  resource?: string | undefined;
  /** `-n/--namespace`: the object's; the ConfigMap's too unless `names.namespace` says otherwise. */
  namespace?: string | undefined;
  /** `--kubeconfig`; default $KUBECONFIG, else the in-cluster service account, else ~/.kube/config. */
  kubeconfig?: string | undefined;
  /** `--context`; default the kubeconfig's current context. */
  context?: string | undefined;
  /** The engine config's `notifications` names (herald.yaml): which ConfigMap and Secret the engine reads. */
  names: { configMap: string; secret: string; namespace?: string | undefined };
  /**
   * herald.yaml's `notifications.selfService`: with the ConfigMap read from the cluster, the object's own
   * namespace's ConfigMap and Secret of the same names are read too (when it has them), as the engine does.
   */
  selfService?: boolean | undefined;
}

export interface ClusterInputs {
  /** The ConfigMap's data with, for a file, the line of each key. */
  configMap: ConfigMapData;
  /** The Secret's values, decoded. */
  secrets: Record<string, string>;
  /** The object, when `resource` was given. */
  object?: Record<string, unknown>;
  /** Where each came from, for messages: a file name or `configmap herald/herald-notifications-cm`. */
  origins: { configMap: string; secret?: string; object?: string };
  /** Self-service: the config of the object's own namespace, when it has one. */
  namespaceConfig?: { namespace: string; configMap: ConfigMapData; secrets: Record<string, string> };
}

/** `-` is stdin; a path that exists is a file; `kind/name` (one slash, neither side empty) is a cluster object. */
const clusterRef = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[-a-z0-9.]+)?\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/i;

export function isClusterRef(resource: string): boolean {
  return resource !== '-' && !isFile(resource) && clusterRef.test(resource);
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/**
 * Reads the notification ConfigMap, its Secret and (optionally) an object, each from its file or from the
 * cluster, as `argocd admin notifications` does: the one place the CLI reads any of them from a cluster.
 * Connects only when something is read from the cluster. Throws a HeraldError naming what could not be read.
 */
export async function readClusterInputs(options: ClusterInputOptions): Promise<ClusterInputs> {
  let cluster: Promise<Cluster> | undefined;
  const connect = () => (cluster ??= openCluster(options));
  const shown = (path: string) => (path === '-' ? '<stdin>' : path);

  let configMap: ConfigMapData;
  let configNamespace: string | undefined;
  const origins: ClusterInputs['origins'] = { configMap: '' };
  if (options.configMap !== undefined) {
    configMap = readConfigMapYaml(readInput(options.configMap, 'the ConfigMap'), shown(options.configMap));
    origins.configMap = shown(options.configMap);
  } else {
    const c = await connect();
    const namespace = options.names.namespace ?? c.namespace;
    configNamespace = namespace;
    const where = `configmap ${namespace}/${options.names.configMap}`;
    const cm = await c.get<{ data?: Record<string, unknown> }>(`/api/v1/namespaces/${namespace}/configmaps/${options.names.configMap}`, where);
    if (!cm) throw new HeraldError(CliErrorCodes.notFound, `${where} not found in ${c.server} (name it with notifications.configMap in herald.yaml, or give --config-map FILE)`);
    configMap = { data: stringMap(cm.data), positions: new Map(), file: where };
    origins.configMap = where;
  }

  let secrets: Record<string, string> = {};
  if (options.secret === ':empty') {
    // Argo's spelling for "no Secret".
  } else if (options.secret !== undefined) {
    secrets = readSecretYaml(readInput(options.secret, 'the Secret'), shown(options.secret));
    origins.secret = shown(options.secret);
  } else if (options.configMap === undefined) {
    const c = await connect();
    const read = await readSecret(c, options.names.namespace ?? c.namespace, options.names.secret);
    secrets = read.secrets;
    origins.secret = read.origin;
  }

  const inputs: ClusterInputs = { configMap, secrets, origins };
  if (options.resource !== undefined) {
    if (isClusterRef(options.resource)) {
      const c = await connect();
      const { object, where } = await c.object(options.resource, options.namespace ?? c.namespace);
      inputs.object = object;
      origins.object = where;
    } else {
      inputs.object = readResource(options.resource);
      origins.object = shown(options.resource);
    }
  }
  const objectNamespace = (inputs.object?.metadata as { namespace?: unknown } | undefined)?.namespace;
  if (options.selfService && configNamespace !== undefined && typeof objectNamespace === 'string' && objectNamespace && objectNamespace !== configNamespace) {
    const c = await connect();
    const where = `configmap ${objectNamespace}/${options.names.configMap}`;
    const cm = await c.get<{ data?: Record<string, unknown> }>(`/api/v1/namespaces/${objectNamespace}/configmaps/${options.names.configMap}`, where);
    if (cm) {
      const { secrets: own } = await readSecret(c, objectNamespace, options.names.secret);
      inputs.namespaceConfig = { namespace: objectNamespace, configMap: { data: stringMap(cm.data), positions: new Map(), file: where }, secrets: own };
    }
  }
  return inputs;
}

/** A Secret's values, decoded; a missing Secret is an empty one, as the engine takes it (services without $references still work). */
async function readSecret(c: Cluster, namespace: string, name: string): Promise<{ secrets: Record<string, string>; origin: string }> {
  const where = `secret ${namespace}/${name}`;
  const secret = await c.get<{ data?: Record<string, unknown> }>(`/api/v1/namespaces/${namespace}/secrets/${name}`, where);
  const secrets = Object.fromEntries(Object.entries(stringMap(secret?.data)).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return { secrets, origin: secret ? where : `${where} (not found: no secrets)` };
}

interface Cluster {
  server: string;
  namespace: string;
  /** The object at `path`, or undefined on 404. */
  get<T>(path: string, what: string): Promise<T | undefined>;
  object(ref: string, namespace: string): Promise<{ object: Record<string, unknown>; where: string }>;
}

const TIMEOUT_MS = 10_000;

async function openCluster(options: ClusterInputOptions): Promise<Cluster> {
  // The Kubernetes client is loaded only when something is read from a cluster: file-only runs start faster.
  const { createKubeClient, KubeApiError, loadKubeConfig } = await import('@herald/core-kube');
  const { kc, namespace } = loadKubeConfig({ ...(options.kubeconfig ? { path: options.kubeconfig } : {}), ...(options.context ? { context: options.context } : {}) });
  const client = createKubeClient(kc, { userAgent: 'herald-cli', requestTimeoutMs: TIMEOUT_MS });
  const get = async <T>(path: string, what: string): Promise<T | undefined> => {
    try {
      return await client.get<T>(path, {}, AbortSignal.timeout(TIMEOUT_MS));
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw unreadable(what, client, err, KubeApiError);
    }
  };
  return {
    server: client.server,
    namespace: options.namespace ?? namespace,
    get,
    async object(ref, objectNamespace) {
      const match = clusterRef.exec(ref)!;
      const type = match[1]!.toLowerCase();
      const group = match[3]?.slice(1).toLowerCase();
      const name = match[4]!;
      const resource = await findResource(client, type, group, ref, KubeApiError);
      const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
      const path = resource.namespaced ? `${base}/namespaces/${objectNamespace}/${resource.name}/${name}` : `${base}/${resource.name}/${name}`;
      const kindName = `${resource.name}${resource.group ? `.${resource.group}` : ''}`;
      const where = resource.namespaced ? `${kindName} ${objectNamespace}/${name}` : `${kindName} ${name}`;
      const object = await get<Record<string, unknown>>(path, where);
      if (!object) throw new HeraldError(CliErrorCodes.notFound, `${where} not found in ${client.server}`);
      // The engine sees objects as the source publishes them: without managedFields.
      const metadata = object.metadata as Record<string, unknown> | undefined;
      if (metadata) delete metadata.managedFields;
      return { object, where };
    },
  };
}

interface Resource {
  group: string;
  version: string;
  name: string;
  namespaced: boolean;
}

interface ResourceList {
  groupVersion?: string;
  resources?: { name: string; singularName?: string; kind: string; namespaced: boolean; shortNames?: string[] }[];
}

/** Finds a resource as kubectl does: by plural, singular, short name or kind, in the core group first, then each group's preferred version. */
async function findResource(client: KubeClient, type: string, group: string | undefined, ref: string, apiError: ApiErrorClass): Promise<Resource> {
  const signal = () => AbortSignal.timeout(TIMEOUT_MS);
  const lists: { group: string; version: string }[] = [];
  try {
    if (group === undefined || group === '') lists.push({ group: '', version: 'v1' });
    if (group !== '') {
      const groups = await client.get<{ groups?: { name: string; preferredVersion?: { version: string }; versions?: { version: string }[] }[] }>('/apis', {}, signal());
      for (const g of groups.groups ?? []) {
        if (group !== undefined && g.name !== group) continue;
        const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
        if (version) lists.push({ group: g.name, version });
      }
    }
    for (const { group: g, version } of lists) {
      const list = await client.get<ResourceList>(g ? `/apis/${g}/${version}` : `/api/${version}`, {}, signal());
      const found = (list.resources ?? []).find(
        (r) => !r.name.includes('/') && (r.name === type || r.singularName === type || r.kind.toLowerCase() === type || (r.shortNames ?? []).includes(type)),
      );
      if (found) return { group: g, version, name: found.name, namespaced: found.namespaced };
    }
  } catch (err) {
    throw unreadable(`the API resources (discovery)`, client, err, apiError);
  }
  throw new HeraldError(CliErrorCodes.notFound, `${ref}: the server ${client.server} has no resource type "${type}${group ? `.${group}` : ''}" (give <kind>[.<group>]/<name>, e.g. deploy/web, or a file)`);
}

type ApiErrorClass = typeof KubeApiError;

function unreadable(what: string, client: KubeClient, err: unknown, apiError: ApiErrorClass): HeraldError {
  const reason = err instanceof apiError ? `${err.status} ${err.message}` : String((err as Error)?.message ?? err);
  return new HeraldError(NotificationConfigErrorCodes.unreadable, `cannot read ${what} from ${client.server}: ${reason}`, { cause: err });
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
