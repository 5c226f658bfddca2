import { isCollection, isScalar, parseDocument, visit, type Document } from 'yaml';
import type { ConfigIssue } from './notification-config.ts';

/** Where a ConfigMap key sits in its file: the key's line and the line its value's text starts on. */
export interface KeyPosition {
  line: number;
  valueLine: number;
}

/** Where the config came from, for messages. */
export interface IssueOrigin {
  file?: string | undefined;
  positions?: ReadonlyMap<string, KeyPosition> | undefined;
}

/** The problems of one part (one ConfigMap key), each naming the key and path and, from a file, its line. */
export class PartIssues {
  readonly issues: ConfigIssue[] = [];
  readonly #key: string;
  readonly #origin: IssueOrigin;

  constructor(key: string, origin: IssueOrigin) {
    this.#key = key;
    this.#origin = origin;
  }

  /** True when an error refuses this version of the part. */
  get failed(): boolean {
    return this.issues.some((i) => i.severity === 'error');
  }

  /** `path` is the key or a path inside its value (`trigger.x[0].when`); `innerLine` a line of the value. */
  error(path: string, message: string, innerLine?: number): void {
    this.issues.push({ severity: 'error', key: path, message, ...this.#at(innerLine) });
  }

  warn(path: string, message: string, innerLine?: number): void {
    this.issues.push({ severity: 'warning', key: path, message, ...this.#at(innerLine) });
  }

  /** The value's YAML; invalid YAML is an error of the key. */
  yaml(text: string): { ok: true; value: unknown } | { ok: false } {
    // logLevel: YAML warnings become issues here rather than process warnings on stderr. uniqueKeys: Argo's
    // reader (go-yaml v2) takes a key written twice, the last one winning; the JS parser does too without it.
    const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true, logLevel: 'silent' });
    const first = (m: string) => m.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    // The first error says where it went wrong; the ones after it mostly follow from it.
    const e = doc.errors[0];
    if (e) {
      this.error(this.#key, `invalid YAML: ${first(e.message)}`, e.linePos?.[0]?.line);
      return { ok: false };
    }
    for (const w of doc.warnings) this.warn(this.#key, `YAML: ${first(w.message)}`, w.linePos?.[0]?.line);
    // Go's YAML refuses a mapping or a list as a key; unquoted `{{.x}}` is a mapping whose key is a mapping.
    let collectionKey: number | undefined;
    visit(doc, {
      Pair(_key, pair) {
        if (isCollection(pair.key)) {
          collectionKey = pair.key.range?.[0] ?? 0;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    if (collectionKey !== undefined) {
      const line = text.slice(0, collectionKey).split('\n').length;
      this.error(this.#key, 'invalid YAML: a mapping or a list used as a key: an unquoted "{{…}}" is a YAML mapping, not a template; quote it (message: "{{.app.metadata.name}}")', line);
      return { ok: false };
    }
    for (const { key, offset } of duplicateKeys(doc)) {
      this.warn(this.#key, `YAML: key "${key}" is written twice in one mapping; the last one is used, as Argo uses it`, text.slice(0, offset).split('\n').length);
    }
    endBlockScalarsAsGo(doc, text);
    readYaml11Booleans(doc);
    try {
      return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
    } catch (err) {
      // Unresolved aliases and alias bombs surface only here.
      this.error(this.#key, `invalid YAML: ${(err as Error).message.split('\n')[0]}`);
      return { ok: false };
    }
  }

  #at(innerLine: number | undefined): { file?: string; line?: number } {
    const { file, positions } = this.#origin;
    const pos = positions?.get(this.#key);
    const line = pos ? (innerLine === undefined ? pos.line : pos.valueLine + innerLine - 1) : undefined;
    return { ...(file === undefined ? {} : { file }), ...(line === undefined ? {} : { line }) };
  }
}

/** The keys written more than once in one mapping (each repeat, where it is written). */
function duplicateKeys(doc: Document): { key: string; offset: number }[] {
  const found: { key: string; offset: number }[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) found.push({ key: String(pair.key.value), offset: pair.key.range?.[0] ?? 0 });
        seen.add(pair.key.value);
      }
    },
  });
  return found;
}

/** The plain words go-yaml v2 (YAML 1.1, which Argo reads the ConfigMap with) reads as booleans beyond true/false. */
const YAML11_BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'].map((word) => [word, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'].map((word) => [word, false] as const),
]);

/**
 * An unquoted `yes`, `on`, `n`… value is a boolean to Argo's YAML 1.1 reader, where the JS parser (YAML 1.2)
 * reads text: `message: yes` renders `true` in Argo, `note: n` renders `false`. Keys stay text.
 */
function readYaml11Booleans(doc: Document): void {
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || node.type !== 'PLAIN' || typeof node.value !== 'string') return;
      const value = YAML11_BOOLEANS.get(node.value);
      if (value !== undefined) node.value = value;
    },
  });
}

/**
 * A block scalar (`|`, `>`) whose last line is the end of the text, with no line break after it, ends
 * without one in Go's YAML (what Argo reads the ConfigMap with); the JS parser adds one. A `|-` ConfigMap
 * value ends that way: `template.t: |-` with `message: |` inside gives `hello`, not `hello\n`.
 */
function endBlockScalarsAsGo(doc: Document, text: string): void {
  if (text.endsWith('\n')) return;
  visit(doc, {
    Scalar(_key, node) {
      const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
      if (block && node.range?.[1] === text.length && typeof node.value === 'string' && node.value.endsWith('\n')) node.value = node.value.slice(0, -1);
    },
  });
}
