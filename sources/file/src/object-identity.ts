import { createHash } from 'node:crypto';
import type { ResourceEventData } from '@herald/plugin-sdk';
import type { FileSourceConfig } from './file-source.config.ts';
import type { ManifestObjectShape } from './object-check.ts';

/** An object from the folder as it is published: its identity, its event `ref` and its content version. */
export interface FolderObject {
  /** `group/Kind/namespace/name`: one object, whatever file or API version it is written with. */
  key: string;
  ref: ResourceEventData['ref'];
  resourceVersion: string;
  /** The object with `metadata.namespace` defaulted, `uid` and `resourceVersion` set, `managedFields` dropped. */
  object: Record<string, unknown>;
}

/** Kubernetes' own cluster-scoped kinds (`group/Kind`, the core group ""), which get no namespace. */
const BUILT_IN_CLUSTER_SCOPED = [
  '/Namespace', '/Node', '/PersistentVolume', '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass', 'networking.k8s.io/IngressClass',
  'certificates.k8s.io/CertificateSigningRequest', 'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
];

// Any fixed UUID: the namespace of the name-based (version 5) UUIDs of objects without a uid.
const UID_NAMESPACE = Buffer.from('5b0c4bd2f3a94a0e9a53c2f1e7d6a8b4', 'hex');

/** Turns checked objects into what the source publishes, by the source's options. */
export class ObjectIdentity {
  readonly #config: FileSourceConfig;
  /** `group/Kind` keys (the built-in ones, and the configured ones with a group)… */
  readonly #clusterScoped: Set<string>;
  /** …and configured kinds without a group, which match that kind in any group. */
  readonly #clusterScopedAnyGroup: Set<string>;

  constructor(config: FileSourceConfig) {
    this.#config = config;
    this.#clusterScoped = new Set([...BUILT_IN_CLUSTER_SCOPED, ...config.clusterScoped.filter((k) => k.includes('/'))]);
    this.#clusterScopedAnyGroup = new Set(config.clusterScoped.filter((k) => !k.includes('/')));
  }

  of(read: ManifestObjectShape): FolderObject {
    const { group, version } = splitApiVersion(read.apiVersion);
    const kind = read.kind;
    // Their own resourceVersion (from `kubectl get -o yaml`) would not change when the file does.
    const { managedFields: _dropped, resourceVersion: _theirs, namespace: written, uid: given, ...metadata } = read.metadata;
    const clusterScoped = this.#clusterScoped.has(`${group}/${kind}`) || this.#clusterScopedAnyGroup.has(kind);
    const namespace = written ?? (clusterScoped ? undefined : this.#config.namespace);
    const uid = given ?? nameBasedUid(`${group}/${kind}/${namespace ?? ''}/${metadata.name}`);
    const body = { ...read, metadata: { ...metadata, ...(namespace === undefined ? {} : { namespace }), uid } };
    const resourceVersion = contentVersion(body);
    return {
      key: `${group}/${kind}/${namespace ?? ''}/${metadata.name}`,
      ref: { group, version, resource: this.#config.resources[`${group}/${kind}`] ?? this.#config.resources[kind] ?? guessPlural(kind), kind, ...(namespace === undefined ? {} : { namespace }), name: metadata.name, uid },
      resourceVersion,
      object: { ...body, metadata: { ...body.metadata, resourceVersion } },
    };
  }
}

/** `argoproj.io/v1alpha1` → group `argoproj.io`, version `v1alpha1`; `v1` → the core group "". */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * The plural resource name Kubernetes would most likely give `kind`: lower-case, then English rules
 * (`Policy` → `policies`, `Ingress` → `ingresses`, `Gateway` → `gateways`); `Endpoints` stays as it is.
 */
export function guessPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('endpoints')) return lower;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** A version 5 (name-based, SHA-1) UUID: the same name always gives the same uid, on every start. */
export function nameBasedUid(name: string): string {
  const hash = createHash('sha1').update(UID_NAMESPACE).update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A hash of the object's content (keys sorted, so a reordered file is the same object): the same content
 * gives the same resourceVersion on every start. Never a bare number, so nothing takes it for an
 * API server's resourceVersion and orders it.
 */
export function contentVersion(object: unknown): string {
  return `sha256-${createHash('sha256').update(canonicalJson(object)).digest('hex').slice(0, 24)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
