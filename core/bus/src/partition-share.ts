import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { Logger } from '@herald/plugin-sdk';
import { directRead } from './direct-get.ts';
import { fnv1a32 } from './fnv1a.ts';

export interface PartitionShareOptions {
  kv: KV;
  jsm: JetStreamManager;
  /** The members bucket (its stream is `KV_<bucket>`). */
  bucket: string;
  /** Who shares: the durable name of the partitioned subscription. */
  group: string;
  partitions: number;
  /** How often membership is renewed and read; a member not heard of for 3 of these is gone. */
  heartbeatMs: number;
  logger: Logger;
  /** True while the connection is up: leaving without one is left to the others' liveness check. */
  connected: () => boolean;
}

/**
 * Splits the partitions of one durable among the processes consuming it, so replicas share the work instead
 * of the first one to start holding every partition. Each process keeps a key in the members bucket (expiring
 * when it stops renewing it) and owns the partitions that rendezvous hashing gives it among the members it
 * reads. Only ownership of who *pulls* comes from here: exclusivity and order come from the partition's
 * pinned consumer, so two processes that briefly disagree about membership can slow a partition down, not
 * handle it twice.
 */
export class PartitionShare {
  readonly member = randomUUID();
  readonly #o: PartitionShareOptions;
  readonly #listeners = new Set<() => void>();
  #members: readonly string[];
  #owners: readonly string[];
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: PartitionShareOptions) {
    this.#o = options;
    this.#members = [this.member];
    this.#owners = assignPartitions(options.partitions, this.#members);
  }

  /** Registers, reads who else is there, and keeps doing so every heartbeat. */
  async start(): Promise<void> {
    await this.#refresh();
    const loop = () => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => void this.#refresh().finally(loop), this.#o.heartbeatMs);
      this.#timer.unref();
    };
    loop();
  }

  owns(partition: number): boolean {
    return this.#owners[partition] === this.member;
  }

  /** The partitions this process owns now. */
  owned(): number[] {
    return Array.from({ length: this.#o.partitions }, (_, p) => p).filter((p) => this.owns(p));
  }

  /** Called after the owned partitions may have changed. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Leaves: the others take this process's partitions at their next heartbeat. Without a connection (or if
   * a renewal still in flight lands after the delete) they do so once it is 3 heartbeats old.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (!this.#o.connected()) return;
    const leaving = this.#o.kv.delete(this.#key(this.member)).catch(() => undefined);
    await Promise.race([leaving, new Promise((r) => setTimeout(r, 1_000).unref())]);
  }

  #key(member: string): string {
    return `${this.#o.group}.${member}`;
  }

  async #refresh(): Promise<void> {
    const { kv, jsm, bucket, group, logger } = this.#o;
    if (this.#stopped) return;
    try {
      await kv.put(this.#key(this.member), JSON.stringify({ host: hostname(), pid: process.pid }));
      // A direct "last message per subject" read: no consumer is left behind (kv.keys() would leave one).
      const heard = new Map<string, number>();
      for (const m of await directRead(jsm, `KV_${bucket}`, { multi_last: [`$KV.${bucket}.${group}.>`] })) {
        const operation = m.header?.get('KV-Operation');
        if (operation === 'DEL' || operation === 'PURGE') continue;
        heard.set(m.subject.slice(`$KV.${bucket}.${group}.`.length), m.time.getTime());
      }
      // Liveness by the server's clock: our own renewal, just stamped, is "now". A process that died is
      // forgotten after 3 heartbeats (the bucket's TTL only collects the garbage).
      const now = heard.get(this.member) ?? Math.max(0, ...heard.values());
      const found = new Set<string>([this.member]);
      for (const [member, at] of heard) if (now - at <= 3 * this.#o.heartbeatMs) found.add(member);
      const members = [...found].sort();
      if (members.join() === this.#members.join()) return;
      const before = this.owned().length;
      this.#members = members;
      this.#owners = assignPartitions(this.#o.partitions, members);
      logger.info({ group, members: members.length, partitions: this.owned().length, before }, 'partition share changed');
      for (const listener of this.#listeners) listener();
    } catch (err) {
      // The server may be restarting: keep the last view (order does not depend on it, see above).
      logger.debug({ err, group }, 'cannot renew partition membership now');
    }
  }
}

/**
 * The owner of each partition: rendezvous (highest random weight) hashing with a cap of ⌈partitions/members⌉
 * each, so the split is even and a member joining or leaving moves few partitions. Every process computes
 * the same answer from the same member list.
 */
export function assignPartitions(partitions: number, members: readonly string[]): string[] {
  const cap = Math.ceil(partitions / Math.max(members.length, 1));
  const load = new Map<string, number>();
  const owners: string[] = [];
  for (let p = 0; p < partitions; p++) {
    const ranked = members.map((m) => ({ m, w: weight(m, p) })).sort((a, b) => b.w - a.w || (a.m < b.m ? -1 : 1));
    const owner = ranked.find(({ m }) => (load.get(m) ?? 0) < cap)!.m;
    load.set(owner, (load.get(owner) ?? 0) + 1);
    owners.push(owner);
  }
  return owners;
}

/** FNV-1a, then a finalizer round: FNV-1a's low bits vary little between keys that differ only at the end. */
function weight(member: string, partition: number): number {
  let hash = fnv1a32(`${member}/${partition}`);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  return hash >>> 0;
}
