import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { directRead } from './direct-get.ts';

/**
 * Herald's processes announce themselves in the members bucket, one key each under `processes.`: what a
 * process runs is written by core/kernel's heartbeat, read by `herald status`. A key is renewed every
 * heartbeat and removed when the process stops; one that dies leaves its key to the bucket's TTL (5 min),
 * and readers judge liveness by the key's age.
 */
const GROUP = 'processes';

export interface AnnouncedProcess {
  id: string;
  /** When the server stored the latest announcement (the server's clock). */
  lastSeen: Date;
  /** What the process announced (its shape is core/kernel's). */
  record: unknown;
}

/** The write side, for one process. */
export class ProcessRegistry {
  readonly #kv: KV;

  constructor(kv: KV) {
    this.#kv = kv;
  }

  async announce(id: string, record: unknown): Promise<void> {
    await this.#kv.put(`${GROUP}.${id}`, JSON.stringify(record));
  }

  async withdraw(id: string): Promise<void> {
    await this.#kv.delete(`${GROUP}.${id}`);
  }
}

/** Every process whose key is in the bucket, by direct gets (no consumer is left behind). */
export async function readProcesses(jsm: JetStreamManager, bucket: string): Promise<AnnouncedProcess[]> {
  const prefix = `$KV.${bucket}.${GROUP}.`;
  const out: AnnouncedProcess[] = [];
  // No key (or no bucket yet): nobody announced anything.
  for (const m of await directRead(jsm, `KV_${bucket}`, { multi_last: [`${prefix}>`] }, { noStream: 'empty' })) {
    const operation = m.header?.get('KV-Operation');
    if (operation === 'DEL' || operation === 'PURGE') continue;
    let record: unknown;
    try {
      record = JSON.parse(m.string());
    } catch {
      record = undefined;
    }
    out.push({ id: m.subject.slice(prefix.length), lastSeen: m.time, record });
  }
  return out;
}
