import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@herald/plugin-sdk';
import { FileSourceErrorCodes } from './errors.ts';
import { readManifests, type ManifestIssue } from './manifest-reader.ts';
import type { ManifestObjectShape } from './object-check.ts';
import type { FolderObject } from './object-identity.ts';

/** One object of the folder and where it is written. */
export interface PlacedObject extends FolderObject {
  /** The file as messages name it: its path under the folder, after `shownAs` (see FolderReader). */
  file: string;
  document: number;
  item?: number;
}

export interface FileRead {
  file: string;
  objects: PlacedObject[];
}

/** Larger files are refused (with their objects kept at their last good version): manifests are far smaller. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

const EXTENSIONS: Readonly<Record<string, 'yaml' | 'json'>> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };

interface FileState {
  /** Hash of the text last parsed; the same text is not parsed (or reported) again. */
  digest: string;
  objects: PlacedObject[];
  broken: boolean;
}

/**
 * Reads the folder's manifests, recursively, in path order. Hidden files and folders (editor swap files,
 * the `..data` of a mounted ConfigMap) are skipped. A file that cannot be read or has a broken document
 * keeps its objects of its last good read that are not in the new one, so an editor's half-saved file
 * never looks like a deletion. Each problem is logged once per version of the file.
 */
export class FolderReader {
  readonly #root: string;
  readonly #log: Logger;
  readonly #identify: (object: ManifestObjectShape) => FolderObject;
  readonly #shownAs: string;
  #files = new Map<string, FileState>();
  #folderError: string | undefined;
  /** Subfolders the last read could not list (each reported once until it can be listed again). */
  #unlisted: string[] = [];

  /**
   * `root`: the folder; `shownAs`: how messages name it (the `path` option as written, so that a file is
   * named as the user would open it, `manifests/apps.yaml`); default: files are named relative to it.
   */
  constructor(root: string, identify: (object: ManifestObjectShape) => FolderObject, log: Logger, shownAs?: string) {
    this.#root = root;
    this.#identify = identify;
    this.#log = log;
    this.#shownAs = shownAs === undefined ? '' : `${shownAs.replace(/[/\\]+$/, '')}/`;
  }

  /** Every file's objects, in path order; undefined when the folder itself cannot be read (nothing may be taken as deleted). */
  async read(): Promise<FileRead[] | undefined> {
    const listing = await this.#list();
    if (!listing) return undefined;
    const next = new Map<string, FileState>();
    for (const file of listing.files) {
      const state = await this.#readFile(file, this.#files.get(file));
      if (state) next.set(file, state);
    }
    // A subfolder that cannot be listed hides its files: keep what they held.
    for (const [file, state] of this.#files) {
      if (!next.has(file) && listing.unlisted.some((dir) => file.startsWith(`${dir}/`))) next.set(file, state);
    }
    this.#files = new Map([...next].sort(([a], [b]) => compare(a, b)));
    return [...this.#files].map(([file, state]) => ({ file, objects: state.objects }));
  }

  async #list(): Promise<{ files: string[]; unlisted: string[] } | undefined> {
    const files: string[] = [];
    const unlisted: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(join(this.#root, dir), { withFileTypes: true });
      } catch (err) {
        if (dir === '') throw err;
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        unlisted.push(dir);
        if (!this.#unlisted.includes(dir)) this.#log.warn({ code: FileSourceErrorCodes.unreadable, folder: this.#shownAs + dir, err: message(err) }, `cannot list ${this.#shownAs + dir}: its files keep their last good version`);
        return;
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) await walk(path);
        else if (formatOf(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && (await isFile(join(this.#root, path)))))) files.push(path);
      }
    };
    try {
      await walk('');
    } catch (err) {
      const text = message(err);
      if (this.#folderError !== text) this.#log.error({ code: FileSourceErrorCodes.folder, path: this.#root, err: text }, `cannot read the folder ${this.#root}: every object keeps its last version until it can`);
      this.#folderError = text;
      return undefined;
    }
    this.#unlisted = unlisted;
    if (this.#folderError !== undefined) this.#log.info({ path: this.#root }, `the folder ${this.#root} can be read again`);
    this.#folderError = undefined;
    return { files: files.sort(compare), unlisted };
  }

  async #readFile(file: string, previous: FileState | undefined): Promise<FileState | undefined> {
    const path = join(this.#root, file);
    let text: string;
    try {
      const size = (await stat(path)).size;
      if (size > MAX_FILE_BYTES) throw new Error(`${size} bytes, more than the ${MAX_FILE_BYTES} Herald reads`);
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      const digest = `error:${message(err)}`;
      if (previous?.digest !== digest) this.#report(file, [{ code: FileSourceErrorCodes.unreadable, reason: `cannot read: ${message(err)}` }], previous?.objects.length ?? 0);
      return { digest, objects: previous?.objects ?? [], broken: true };
    }
    const digest = createHash('sha256').update(text).digest('hex');
    if (previous?.digest === digest) return previous;
    const { objects: read, issues } = readManifests(text, formatOf(file)!);
    const shown = this.#shownAs + file;
    const objects = read.map((o) => ({ ...this.#identify(o.object), file: shown, document: o.document, ...(o.item === undefined ? {} : { item: o.item }) }));
    if (issues.length === 0) {
      if (previous?.broken) this.#log.info({ file: shown }, `${shown} reads without errors again`);
      return { digest, objects, broken: false };
    }
    const keys = new Set(objects.map((o) => o.key));
    const kept = (previous?.objects ?? []).filter((o) => !keys.has(o.key));
    this.#report(file, issues, kept.length);
    return { digest, objects: [...objects, ...kept], broken: true };
  }

  #report(relative: string, issues: ManifestIssue[], kept: number): void {
    const file = this.#shownAs + relative;
    const keeping = kept > 0 ? `; ${kept} object(s) it held before keep their last good version` : '';
    for (const issue of issues) {
      const where = issue.document === undefined ? '' : ` document ${issue.document}${issue.line === undefined ? '' : ` (line ${issue.line})`}`;
      const field = issue.field === undefined ? '' : ` ${issue.field}:`;
      this.#log.error(
        { code: issue.code, file, ...(issue.document === undefined ? {} : { document: issue.document }), ...(issue.line === undefined ? {} : { line: issue.line }), ...(issue.field === undefined ? {} : { field: issue.field }) },
        `${file}${where}:${field} ${issue.reason}${keeping}`,
      );
    }
  }
}

function formatOf(name: string): 'yaml' | 'json' | undefined {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? undefined : EXTENSIONS[name.slice(dot).toLowerCase()];
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function message(err: unknown): string {
  return String((err as Error)?.message ?? err);
}
