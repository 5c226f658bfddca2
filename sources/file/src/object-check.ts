/** An object as read from a file, checked to have what every Kubernetes object has. */
export interface ManifestObjectShape {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string | null; uid?: string | null; [key: string]: unknown };
  [key: string]: unknown;
}

export type Checked = { object: ManifestObjectShape } | { field?: string; reason: string };

/**
 * How deeply an object may nest (the object is level 1), as the Kubernetes source allows: far deeper than
 * real manifests, shallow enough for every consumer down the line (JSON, expressions, templates).
 */
export const MAX_OBJECT_DEPTH = 512;

const apiVersionPattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const kindPattern = /^[A-Za-z][A-Za-z0-9]*$/;
const namespacePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `value` as a Kubernetes-shaped object, or the first field that is missing or wrong (prefixed with
 * `prefix`, e.g. `items[2].`) and why: apiVersion, kind and metadata.name are required; namespace, uid,
 * labels and annotations must have the types the API server would insist on.
 */
export function checkObject(value: unknown, prefix = ''): Checked {
  const fail = (field: string, reason: string): Checked => ({ field: `${prefix}${field}`, reason });
  if (!isRecord(value)) {
    const what = Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`;
    return { ...(prefix ? { field: prefix.slice(0, -1) } : {}), reason: `must be an object with apiVersion, kind and metadata, not ${what}` };
  }
  const { apiVersion, kind, metadata } = value;
  if (apiVersion === undefined || apiVersion === null || apiVersion === '') return fail('apiVersion', 'required (e.g. "v1" or "argoproj.io/v1alpha1")');
  if (typeof apiVersion !== 'string' || !apiVersionPattern.test(apiVersion)) return fail('apiVersion', `must be "<version>" or "<group>/<version>" such as "argoproj.io/v1alpha1", not ${show(apiVersion)}`);
  if (kind === undefined || kind === null || kind === '') return fail('kind', 'required (e.g. "Application")');
  if (typeof kind !== 'string' || !kindPattern.test(kind)) return fail('kind', `must be a kind such as "Application", not ${show(kind)}`);
  if (metadata === undefined || metadata === null) return fail('metadata.name', 'required (metadata is missing)');
  if (!isRecord(metadata)) return fail('metadata', `must be a mapping, not ${show(metadata)}`);
  const { name, namespace, uid, labels, annotations } = metadata;
  if (name === undefined || name === null || name === '') return fail('metadata.name', 'required');
  if (typeof name !== 'string') return fail('metadata.name', `must be a string, not ${show(name)} (quote it)`);
  if (name.length > 253 || name.includes('/') || name === '.' || name === '..') return fail('metadata.name', `${show(name)} is not an object name (at most 253 characters, no "/")`);
  if (namespace !== undefined && namespace !== null && (typeof namespace !== 'string' || !namespacePattern.test(namespace) || namespace.length > 63)) {
    return fail('metadata.namespace', `must be a namespace name (lower-case letters, digits and "-"), not ${show(namespace)}`);
  }
  if (uid !== undefined && uid !== null && (typeof uid !== 'string' || uid === '')) return fail('metadata.uid', `must be a non-empty string, not ${show(uid)}`);
  for (const [field, map] of [['labels', labels], ['annotations', annotations]] as const) {
    if (map === undefined || map === null) continue;
    if (!isRecord(map)) return fail(`metadata.${field}`, `must be a mapping of strings, not ${show(map)}`);
    const bad = Object.entries(map).find(([, v]) => typeof v !== 'string');
    if (bad) return fail(`metadata.${field}.${bad[0]}`, `must be a string, not ${show(bad[1])} (quote it)`);
  }
  const depth = objectDepth(value);
  if (depth > MAX_OBJECT_DEPTH) return { ...(prefix ? { field: prefix.slice(0, -1) } : {}), reason: `nested ${depth} levels deep, more than the ${MAX_OBJECT_DEPTH} Herald accepts` };
  return { object: value as ManifestObjectShape };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Levels of nested objects and arrays (a scalar is 0), counted without recursion. */
function objectDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, depth] = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > deepest) deepest = depth;
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
  }
  return deepest;
}

function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
