import { watch, type FSWatcher } from 'node:fs';
import type { Clock, Logger } from '@herald/plugin-sdk';

/** How long after a change notification the folder is read: a save is often several writes. */
export const SETTLE_MS = 100;

/**
 * Waits between reads of the folder: until the rescan interval passes, or sooner when the file system
 * reports a change (a recursive `fs.watch`; the rescan is the safety net where notifications get lost,
 * as on network and container-mounted folders). Time is the injected clock's.
 */
export class FolderWatch {
  readonly #root: string;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #signal: AbortSignal;
  #watcher: FSWatcher | undefined;
  #failure: string | undefined;
  #changed = false;
  #wake: (() => void) | undefined;

  constructor(root: string, options: { clock: Clock; log: Logger; signal: AbortSignal }) {
    this.#root = root;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#signal = options.signal;
  }

  /** Watches the folder, unless it already does; a failure is logged once and tried again at the next wait. */
  open(): void {
    if (this.#watcher || this.#signal.aborted) return;
    try {
      const watcher = watch(this.#root, { recursive: true }, (_event, name) => {
        // Hidden files are editors' swap and lock files, and a mounted ConfigMap's bookkeeping.
        if (name !== null && name.split(/[/\\]/).at(-1)?.startsWith('.')) return;
        this.#changed = true;
        this.#wake?.();
      });
      watcher.on('error', (err) => {
        watcher.close();
        if (this.#watcher === watcher) this.#watcher = undefined;
        this.#failed(err);
      });
      this.#watcher = watcher;
      if (this.#failure !== undefined) this.#log.info({ path: this.#root }, 'watching the folder again');
      this.#failure = undefined;
    } catch (err) {
      this.#failed(err);
    }
  }

  /** Resolves after `ms`, or `SETTLE_MS` after the next change notification, or when stopped. */
  async wait(ms: number): Promise<void> {
    this.open();
    if (!this.#changed) {
      const woken = new AbortController();
      const stop = () => woken.abort();
      this.#wake = stop;
      this.#signal.addEventListener('abort', stop, { once: true });
      await this.#clock.sleep(ms, woken.signal).catch(() => undefined);
      this.#signal.removeEventListener('abort', stop);
      this.#wake = undefined;
    }
    if (this.#changed && !this.#signal.aborted) await this.#clock.sleep(SETTLE_MS, this.#signal).catch(() => undefined);
    this.#changed = false;
  }

  /** Ends the wait under way as a change notification does (the caller has something to do sooner). */
  poke(): void {
    this.#changed = true;
    this.#wake?.();
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#wake?.();
  }

  #failed(err: unknown): void {
    const text = String((err as Error)?.message ?? err);
    if (this.#failure !== text) this.#log.warn({ path: this.#root, err: text }, 'cannot watch the folder for changes; reading it at every rescan instead');
    this.#failure = text;
  }
}
