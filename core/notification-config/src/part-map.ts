import type { PartIssues } from './config-issues.ts';

/** What a ConfigMap key is: `trigger.<name>`, `template.<name>`, `service.<type>[.<name>]`, `defaultTriggers[.<service>]`… */
export type PartKind = 'trigger' | 'template' | 'service' | 'subscriptions' | 'defaultTriggers' | 'context';

/** One ConfigMap key at one version, read at most once. */
export interface Part<T> {
  key: string;
  kind: PartKind;
  /** The text and whatever else its reading depends on: an unchanged fingerprint is not read again. */
  fingerprint: string;
  /** The last good version before this one. */
  previous: T | undefined;
  issues: PartIssues;
  read: () => unknown;
  /** Set once read; `value` is undefined when this version was refused. */
  outcome?: { value: T | undefined };
}

/**
 * Triggers or templates by name, each read (compiled) the first time it is asked for. Looking up one name
 * reads that part alone; iterating or `size` reads them all.
 */
export class PartMap<T> implements ReadonlyMap<string, T> {
  readonly #parts: ReadonlyMap<string, Part<T>>;
  readonly #read: (part: Part<T>) => T | undefined;
  #all: Map<string, T> | undefined;

  constructor(parts: ReadonlyMap<string, Part<T>>, read: (part: Part<T>) => T | undefined) {
    this.#parts = parts;
    this.#read = read;
  }

  get(name: string): T | undefined {
    const part = this.#parts.get(name);
    return part && this.#read(part);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  get size(): number {
    return this.#usable().size;
  }

  forEach(callback: (value: T, key: string, map: ReadonlyMap<string, T>) => void, thisArg?: unknown): void {
    this.#usable().forEach((value, key) => callback.call(thisArg, value, key, this));
  }

  entries(): MapIterator<[string, T]> {
    return this.#usable().entries();
  }

  keys(): MapIterator<string> {
    return this.#usable().keys();
  }

  values(): MapIterator<T> {
    return this.#usable().values();
  }

  [Symbol.iterator](): MapIterator<[string, T]> {
    return this.entries();
  }

  #usable(): Map<string, T> {
    if (!this.#all) {
      const all = new Map<string, T>();
      for (const [name, part] of this.#parts) {
        const value = this.#read(part);
        if (value !== undefined) all.set(name, value);
      }
      this.#all = all;
    }
    return this.#all;
  }
}
