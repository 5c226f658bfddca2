import { LineCounter, parseAllDocuments } from 'yaml';
import { FileSourceErrorCodes, type FileSourceErrorCode } from './errors.ts';
import { checkObject, isRecord, type ManifestObjectShape } from './object-check.ts';

/** One object read from a file, valid in shape. */
export interface ManifestObject {
  object: ManifestObjectShape;
  /** 1-based position of its document in the file (a JSON file is one document). */
  document: number;
  /** Its index in the `items` of a List document. */
  item?: number;
  /** Line where its document starts. */
  line?: number;
}

/** Why one document (or the whole file) gave no object. */
export interface ManifestIssue {
  code: FileSourceErrorCode;
  /** 1-based document number; absent when the whole file is at fault. */
  document?: number;
  line?: number;
  /** The field at fault, e.g. `metadata.name` or `items[2].kind`. */
  field?: string;
  reason: string;
}

export interface Manifests {
  objects: ManifestObject[];
  issues: ManifestIssue[];
}

/**
 * The Kubernetes-shaped objects of one file's text: every document of a YAML stream (empty ones skipped),
 * or the one value of a JSON file; a `List` (or `<Kind>List`) document gives its `items`. A document that
 * fails gives an issue naming it and the reason; the others still give their objects.
 */
export function readManifests(text: string, format: 'yaml' | 'json'): Manifests {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return format === 'json' ? readJson(body) : readYaml(body);
}

function readJson(text: string): Manifests {
  if (text.trim() === '') return { objects: [], issues: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { objects: [], issues: [{ code: FileSourceErrorCodes.syntax, document: 1, reason: `invalid JSON: ${(err as Error).message}` }] };
  }
  const out: Manifests = { objects: [], issues: [] };
  addDocument(out, value, 1, undefined);
  return out;
}

function readYaml(text: string): Manifests {
  const lines = new LineCounter();
  const out: Manifests = { objects: [], issues: [] };
  let docs;
  try {
    docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, logLevel: 'silent' });
  } catch (err) {
    return { objects: [], issues: [{ code: FileSourceErrorCodes.syntax, reason: `invalid YAML: ${firstLine(err)}` }] };
  }
  // An empty stream parses to an empty list (or, in some versions, to a lone empty document).
  const all = Array.isArray(docs) ? docs : [docs];
  all.forEach((doc, index) => {
    const document = index + 1;
    // Where its content starts (after any `---` and comments): the line an editor should jump to.
    const start = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? doc.range?.[0];
    const line = start === undefined ? undefined : lines.linePos(start).line;
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0]?.line ?? line;
      out.issues.push({ code: FileSourceErrorCodes.syntax, document, ...(at === undefined ? {} : { line: at }), reason: `invalid YAML: ${firstLine(error)}` });
      return;
    }
    if (doc.contents === null) return;
    let value: unknown;
    try {
      // Aliases can multiply a small file into a huge value: 100 is far more than manifests use.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      out.issues.push({ code: FileSourceErrorCodes.syntax, document, ...(line === undefined ? {} : { line }), reason: `invalid YAML: ${firstLine(err)}` });
      return;
    }
    // A document of comments alone is no object (kubectl skips it too).
    if (value !== null && value !== undefined) addDocument(out, value, document, line);
  });
  return out;
}

/** The objects of one document: the document itself, or the items of a List. */
function addDocument(out: Manifests, value: unknown, document: number, line: number | undefined): void {
  const at = { document, ...(line === undefined ? {} : { line }) };
  const invalid = (field: string | undefined, reason: string) => out.issues.push({ code: FileSourceErrorCodes.invalidObject, ...at, ...(field === undefined ? {} : { field }), reason });
  const list = listKind(value);
  if (list === undefined) {
    const checked = checkObject(value);
    if ('reason' in checked) invalid(checked.field, checked.reason);
    else out.objects.push({ object: checked.object, ...at });
    return;
  }
  const { items } = value as { items: unknown };
  if (items === undefined || items === null) return;
  if (!Array.isArray(items)) return void invalid('items', `must be a list of objects (this is a ${list.kind})`);
  items.forEach((item, index) => {
    // The API server leaves kind and apiVersion out of the items of a `PodList`; kubectl fills them in.
    const filled = list.itemKind && isRecord(item) ? { apiVersion: list.apiVersion, kind: list.itemKind, ...item } : item;
    const checked = checkObject(filled, `items[${index}].`);
    if ('reason' in checked) invalid(checked.field, checked.reason);
    else out.objects.push({ object: checked.object, ...at, item: index });
  });
}

/** `kind: List` (items carry their own kind), or `kind: <Kind>List` with `items` (items default to that kind). */
function listKind(value: unknown): { kind: string; itemKind?: string; apiVersion?: unknown } | undefined {
  if (!isRecord(value) || typeof value.kind !== 'string') return undefined;
  if (value.kind === 'List') return { kind: 'List' };
  if (value.kind.length > 4 && value.kind.endsWith('List') && 'items' in value) return { kind: value.kind, itemKind: value.kind.slice(0, -4), apiVersion: value.apiVersion };
  return undefined;
}

/** The parser's message without its code excerpt and position (the issue has the line). */
function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
