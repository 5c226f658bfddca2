import { HeraldError } from '@herald/plugin-sdk';
import { isMap, isScalar, LineCounter, parseAllDocuments, type Document, type Scalar } from 'yaml';
import type { KeyPosition } from './config-issues.ts';
import { NotificationConfigErrorCodes } from './errors.ts';

export interface ConfigMapData {
  data: Record<string, string>;
  positions: Map<string, KeyPosition>;
  file: string;
}

/**
 * Reads a notification ConfigMap from YAML: a ConfigMap manifest (the first in a multi-document file), or
 * a bare mapping of its data keys. Positions of the keys are kept for messages.
 */
export function readConfigMapYaml(text: string, file: string): ConfigMapData {
  const { doc, lines } = pickDocument(text, file, 'ConfigMap');
  const root = doc.contents;
  // A manifest, or `data:` alone at the top, or the keys themselves.
  const wrapped = isMap(root) && (hasKind(doc) || (root.items.length === 1 && isMap(root.get('data', true))));
  const dataNode = wrapped ? root.get('data', true) : root;
  const data: Record<string, string> = {};
  const positions = new Map<string, KeyPosition>();
  if (dataNode === undefined || dataNode === null) return { data, positions, file };
  if (!isMap(dataNode)) throw fileError(file, 'data must be a mapping of keys to strings');
  for (const pair of dataNode.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined) throw fileError(file, `a data key is not a plain string`, lines, pair.key);
    const value = pair.value;
    if (!isScalar(value) || (typeof value.value !== 'string' && value.value !== null)) {
      throw fileError(file, `data.${key} must be a string (use "key: |" and indent the YAML below it)`, lines, value ?? pair.key);
    }
    data[key] = (value.value as string | null) ?? '';
    const line = lines.linePos((pair.key as Scalar).range?.[0] ?? 0).line;
    const start = lines.linePos(value.range?.[0] ?? 0).line;
    const block = value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED';
    positions.set(key, { line, valueLine: block ? start + 1 : start });
  }
  return { data, positions, file };
}

/** Reads a Secret manifest (or a bare mapping): `data` is base64-decoded, `stringData` taken as is and wins. */
export function readSecretYaml(text: string, file: string): Record<string, string> {
  const { doc } = pickDocument(text, file, 'Secret');
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw fileError(file, `invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isRecord(root)) throw fileError(file, 'must be a Secret manifest or a mapping of keys to values');
  const out: Record<string, string> = {};
  if (!hasKind(doc)) {
    for (const [k, v] of Object.entries(root)) out[k] = String(v);
    return out;
  }
  if (root.data !== undefined && root.data !== null) {
    if (!isRecord(root.data)) throw fileError(file, 'data must be a mapping');
    for (const [k, v] of Object.entries(root.data)) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v.replace(/\s/g, ''))) throw fileError(file, `data.${k} is not base64`);
      out[k] = Buffer.from(v, 'base64').toString('utf8');
    }
  }
  if (root.stringData !== undefined && root.stringData !== null) {
    if (!isRecord(root.stringData)) throw fileError(file, 'stringData must be a mapping');
    for (const [k, v] of Object.entries(root.stringData)) out[k] = String(v);
  }
  return out;
}

function pickDocument(text: string, file: string, kind: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, logLevel: 'silent' });
  if (!Array.isArray(docs)) throw fileError(file, 'not YAML');
  for (const d of docs) {
    const e = d.errors[0];
    if (e) throw fileError(file, `invalid YAML: ${e.message.split('\n')[0]}`, lines, undefined, e.linePos?.[0]?.line);
  }
  const nonEmpty = docs.filter((d) => d.contents !== null);
  const doc = nonEmpty.find((d) => isMap(d.contents) && (d.contents.get('kind', true) as Scalar | undefined)?.value === kind) ?? nonEmpty.find((d) => !hasKind(d));
  if (!doc) throw fileError(file, `no ${kind} in this file`);
  return { doc, lines };
}

function hasKind(doc: Document): boolean {
  return isMap(doc.contents) && doc.contents.has('kind') && doc.contents.has('apiVersion');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fileError(file: string, message: string, lines?: LineCounter, node?: unknown, line?: number): HeraldError {
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  const l = line ?? (lines && range ? lines.linePos(range[0]).line : undefined);
  return new HeraldError(NotificationConfigErrorCodes.invalid, `${file}${l === undefined ? '' : `:${l}`}: ${message}`);
}
