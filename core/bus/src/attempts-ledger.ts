import type { KV } from '@nats-io/kv';

/** What is known of earlier attempts at one message by one consumer. */
export interface AttemptRecord {
  /** Handler runs that failed (retryable) and asked for a redelivery. */
  failed: number;
  /** Handler runs that started and never reached an outcome: the process died or hung. */
  unfinished: number;
}

/**
 * JetStream's delivery count also counts messages handed back unstarted at a stop, so it cannot tell how
 * often a message was really tried. This ledger can: it is read and written only for redelivered
 * messages and for failures, so the common path (first delivery, success) never touches it.
 */
export class AttemptsLedger {
  readonly #kv: KV;

  constructor(kv: KV) {
    this.#kv = kv;
  }

  static key(durable: string, stream: string, seq: number): string {
    return `${durable}.${stream}.${seq}`;
  }

  async get(key: string): Promise<AttemptRecord> {
    const entry = await this.#kv.get(key);
    if (!entry || entry.operation !== 'PUT') return { failed: 0, unfinished: 0 };
    return entry.json<AttemptRecord>();
  }

  async put(key: string, record: AttemptRecord): Promise<void> {
    await this.#kv.put(key, JSON.stringify(record));
  }

  async clear(key: string): Promise<void> {
    await this.#kv.purge(key);
  }
}
