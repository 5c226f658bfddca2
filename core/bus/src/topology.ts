import { createHash } from 'node:crypto';
import { DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Channel } from '@herald/plugin-sdk';
import { BusError, BusErrorCodes } from './errors.ts';
import { fnv1a32 } from './fnv1a.ts';

/** Retention limits of one stream. Durations in milliseconds. */
export interface StreamLimits {
  maxAgeMs: number;
  maxBytes: number;
  /** Largest single message. */
  maxMsgSize: number;
  replicas: number;
}

export interface TopologyOptions {
  /** Prefix of every subject; lets several Herald installations share one NATS account. */
  subjectPrefix: string;
  /** Prefix of stream names and the KV bucket. */
  namePrefix: string;
  /** Event subjects are split into this many partitions by a hash of the object's UID. */
  partitions: number;
  /** Window in which a repeated `Nats-Msg-Id` is dropped. */
  duplicateWindowMs: number;
  streams: Record<Channel, StreamLimits>;
  state: { maxBytes: number; replicas: number };
  /** The plugins' own keys (PluginStore). Default: 64 MiB (at most the state bucket's size), the state bucket's replicas. */
  plugins?: { maxBytes: number; replicas: number };
  /** Where in a NATS cluster (or super-cluster) the streams and buckets are placed: a cluster name, server tags. */
  placement?: Placement;
}

export interface Placement {
  cluster?: string;
  tags?: string[];
}

const MiB = 1024 * 1024;
const hour = 3_600_000;

/** Membership keys of processes that died are removed after this long (liveness is judged sooner, see PartitionShare). */
const MEMBER_TTL_MS = 5 * 60_000;
/**
 * A destination's pace is forgotten after this long without a send: its bucket is full again by then at any
 * rate above one notification per 3 minutes with the default burst (20), and a Retry-After up to an hour holds.
 */
const PACE_TTL_MS = hour;

export const defaultTopology: TopologyOptions = {
  subjectPrefix: 'herald',
  namePrefix: 'HERALD',
  partitions: 16,
  duplicateWindowMs: 2 * 60_000,
  streams: {
    events: { maxAgeMs: 24 * hour, maxBytes: 1024 * MiB, maxMsgSize: 4 * MiB, replicas: 1 },
    notifications: { maxAgeMs: 7 * 24 * hour, maxBytes: 1024 * MiB, maxMsgSize: 4 * MiB, replicas: 1 },
    results: { maxAgeMs: 7 * 24 * hour, maxBytes: 256 * MiB, maxMsgSize: 1 * MiB, replicas: 1 },
    deadLetters: { maxAgeMs: 30 * 24 * hour, maxBytes: 1024 * MiB, maxMsgSize: 8 * MiB, replicas: 1 },
  },
  state: { maxBytes: 256 * MiB, replicas: 1 },
};

/** The herald.yaml key that sets a stream's replicas, for messages an operator can act on. */
const replicasKey: Record<Channel, string> = {
  events: 'nats.streams.events.replicas',
  notifications: 'nats.streams.notifications.replicas',
  results: 'nats.streams.results.replicas',
  deadLetters: 'nats.streams.deadLetters.replicas',
};

const subjectToken: Record<Channel, string> = {
  events: 'events',
  notifications: 'notifications',
  results: 'results',
  deadLetters: 'dlq',
};
const streamSuffix: Record<Channel, string> = {
  events: 'EVENTS',
  notifications: 'NOTIFICATIONS',
  results: 'RESULTS',
  deadLetters: 'DEAD_LETTERS',
};

/** Names of streams, subjects and the bucket, derived from the topology options. */
export class Topology {
  readonly options: TopologyOptions;

  constructor(options: TopologyOptions = defaultTopology) {
    this.options = options;
  }

  streamName(channel: Channel): string {
    return `${this.options.namePrefix}_${streamSuffix[channel]}`;
  }

  /** `herald.events`, `herald.notifications`…; every subject of the channel is below it. */
  channelSubject(channel: Channel): string {
    return `${this.options.subjectPrefix}.${subjectToken[channel]}`;
  }

  /** Attempts ledger: failed and unfinished handling attempts of redelivered messages, per consumer. */
  get attemptsBucket(): string {
    return `${this.options.namePrefix}_ATTEMPTS`;
  }

  /** Processes sharing a partitioned durable, each a key that expires unless renewed (see PartitionShare). */
  get membersBucket(): string {
    return `${this.options.namePrefix}_MEMBERS`;
  }

  /** Destinations' shared rate limits, one key per destination (owned by core/delivery's SharedPace). */
  get paceBucket(): string {
    return `${this.options.namePrefix}_PACE`;
  }

  /** Dedup claims, one group of keys per object (owned by core/dedup). */
  get stateBucket(): string {
    return `${this.options.namePrefix}_STATE`;
  }

  /** Plugins' durable keys, one group per plugin id (PluginStore). */
  get pluginsBucket(): string {
    return `${this.options.namePrefix}_PLUGINS`;
  }

  /** Partition of an object key: FNV-1a 32-bit, so every language can compute the same one. */
  partitionOf(key: string): number {
    return fnv1a32(key) % this.options.partitions;
  }

  eventSubject(objectKey: string): string {
    return `${this.channelSubject('events')}.${this.partitionOf(objectKey)}`;
  }

  notificationSubject(serviceType: string, objectKey: string): string {
    return `${this.channelSubject('notifications')}.${token(serviceType)}.${this.partitionOf(objectKey)}`;
  }

  resultSubject(serviceType: string, objectKey: string): string {
    return `${this.channelSubject('results')}.${token(serviceType)}.${this.partitionOf(objectKey)}`;
  }

  /**
   * Subject of Herald's own announcements (`herald.system.<name>`, e.g. `config-rejected`): plain NATS
   * messages for whoever listens, not kept in a stream.
   */
  systemSubject(name: string): string {
    return `${this.options.subjectPrefix}.system.${token(name)}`;
  }

  /**
   * Subject of a dead letter from `from`. One with a `key` (a notification's state key: which object, trigger,
   * condition and destination) gets a subject of its own key, `<prefix>.dlq.notifications.<hash>`, and is
   * published as a rollup of that subject: the stream keeps the newest dead letter of each notification that
   * keeps failing, not one per failure (a resync resends a failing notification every period).
   */
  deadLetterSubject(from: Channel, key?: string): string {
    const subject = `${this.channelSubject('deadLetters')}.${subjectToken[from]}`;
    return key === undefined ? subject : `${subject}.${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  }

  /** The origin channel's token of a dead letter's subject (`notifications` of `<prefix>.dlq.notifications.<hash>`). */
  deadLetterOrigin(subject: string): string {
    const base = `${this.channelSubject('deadLetters')}.`;
    return subject.startsWith(base) ? subject.slice(base.length).split('.', 1)[0]! : subject;
  }

  /**
   * Subject filter for a subscription: the whole channel, or one value of its first token (the partition
   * of events, the service type of notifications and results, the origin channel of dead letters).
   */
  filterSubject(channel: Channel, filter?: string): string {
    const base = this.channelSubject(channel);
    if (filter === undefined) return `${base}.>`;
    return channel === 'notifications' || channel === 'results' ? `${base}.${token(filter)}.>` : `${base}.${token(filter)}`;
  }

  streamConfig(channel: Channel): Partial<StreamConfig> & { name: string } {
    const limits = this.options.streams[channel];
    return {
      name: this.streamName(channel),
      subjects: [`${this.channelSubject(channel)}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      // A full stream refuses new messages rather than dropping the oldest, which may be undelivered: the
      // producer's publish fails as retryable (publisher.ts) and it waits, so nothing is lost silently.
      discard: DiscardPolicy.New,
      max_age: limits.maxAgeMs * 1_000_000,
      max_bytes: limits.maxBytes,
      max_msg_size: limits.maxMsgSize,
      num_replicas: limits.replicas,
      duplicate_window: this.options.duplicateWindowMs * 1_000_000,
      allow_direct: true,
      // A notification's newest dead letter replaces its earlier ones (deadLetterSubject).
      ...(channel === 'deadLetters' ? { allow_rollup_hdrs: true } : {}),
      ...placementConfig(this.options.placement),
    };
  }

  /**
   * Creates or updates every stream and the KV buckets. Safe to run from many processes at once.
   * `maxPayload` is the server's limit on one message; no stream is told to accept more than that.
   */
  async ensure(nc: NatsConnection, jsm: JetStreamManager, maxPayload = Number.POSITIVE_INFINITY): Promise<{ state: KV; plugins: KV; attempts: KV; members: KV; pace: KV }> {
    for (const channel of Object.keys(streamSuffix) as Channel[]) {
      const config = this.streamConfig(channel);
      config.max_msg_size = Math.min(config.max_msg_size ?? maxPayload, maxPayload);
      try {
        await jsm.streams.add(config);
      } catch (err) {
        // "stream name already in use with a different configuration" (older limits, other replicas or
        // placement, or discard old from an older Herald): bring it up to date. JetStream scales a clustered
        // stream's replicas up or down in place; what it cannot do is said with the key to change.
        if (err instanceof JetStreamApiError && err.code === 10058) {
          const current = await jsm.streams.info(config.name).catch(() => undefined);
          await jsm.streams.update(config.name, config).catch((cause: unknown) => {
            throw new BusError(BusErrorCodes.topology, `cannot update stream ${config.name}${replicasChange(current?.config.num_replicas, limitsOf(this, channel).replicas, replicasKey[channel])}: ${String(cause)}`, { cause });
          });
        } else {
          throw new BusError(BusErrorCodes.topology, `cannot create stream ${config.name}${replicasHint(err, limitsOf(this, channel).replicas, replicasKey[channel])}: ${String(err)}`, { cause: err, retryable: !isReplicasRefusal(err) });
        }
      }
    }
    const { maxBytes, replicas } = this.options.state;
    const { placement } = this.options;
    const kv = await ensureBucket(nc, jsm, this.stateBucket, { ...this.options.state, placement });
    const plugins = await ensureBucket(nc, jsm, this.pluginsBucket, { ...(this.options.plugins ?? { maxBytes: Math.min(64 * MiB, maxBytes), replicas }), placement });
    // Entries outlive no message: they expire with the longest-lived stream.
    const ttl = Math.max(...Object.values(this.options.streams).map((l) => l.maxAgeMs));
    // Bookkeeping buckets, sized within the state bucket's limit: a small configured store reserves no more.
    const attempts = await ensureBucket(nc, jsm, this.attemptsBucket, { maxBytes: Math.min(64 * MiB, maxBytes), replicas, placement }, ttl);
    const members = await ensureBucket(nc, jsm, this.membersBucket, { maxBytes: Math.min(8 * MiB, maxBytes), replicas, placement }, MEMBER_TTL_MS);
    const pace = await ensureBucket(nc, jsm, this.paceBucket, { maxBytes: Math.min(8 * MiB, maxBytes), replicas, placement }, PACE_TTL_MS);
    return { state: kv, plugins, attempts, members, pace };
  }
}

/**
 * A KV bucket of history 1 with these limits; an existing one has its size, replicas and placement brought
 * up to date, like the streams. A failure names the bucket and its stream (e.g. `insufficient storage
 * resources`), and the key to change when the replicas are what the servers refuse.
 */
async function ensureBucket(nc: NatsConnection, jsm: JetStreamManager, name: string, limits: { maxBytes: number; replicas: number; placement: Placement | undefined }, ttl?: number): Promise<KV> {
  const stream = `KV_${name}`;
  let was: number | undefined;
  try {
    const placement = placementConfig(limits.placement);
    const kv = await new Kvm(nc).create(name, { history: 1, max_bytes: limits.maxBytes, replicas: limits.replicas, storage: StorageType.File, ...placement, ...(ttl === undefined ? {} : { ttl }) });
    const current = await jsm.streams.info(stream);
    was = current.config.num_replicas;
    const samePlacement = JSON.stringify(placementConfig(current.config.placement ?? undefined)) === JSON.stringify(placement);
    if (current.config.max_bytes !== limits.maxBytes || current.config.num_replicas !== limits.replicas || !samePlacement) {
      await jsm.streams.update(stream, { ...current.config, max_bytes: limits.maxBytes, num_replicas: limits.replicas, ...placement });
    }
    return kv;
  } catch (err) {
    const change = was === undefined ? replicasHint(err, limits.replicas, 'nats.state.replicas') : replicasChange(was, limits.replicas, 'nats.state.replicas');
    throw new BusError(BusErrorCodes.topology, `cannot create or update KV bucket ${name} (stream ${stream}, max bytes ${limits.maxBytes})${change}: ${String(err)}`, { cause: err, retryable: !isReplicasRefusal(err) });
  }
}

function limitsOf(topology: Topology, channel: Channel): StreamLimits {
  return topology.options.streams[channel];
}

/** `placement` of a stream config; nothing when unset, so an unplaced stream compares equal to the server's. */
function placementConfig(placement: Placement | undefined): { placement?: { cluster: string; tags: string[] } } {
  if (!placement || (!placement.cluster && !placement.tags?.length)) return {};
  return { placement: { cluster: placement.cluster ?? '', tags: placement.tags ?? [] } };
}

/** Errors of a server that cannot hold this many replicas: a single server, or a cluster with too few peers. */
function isReplicasRefusal(err: unknown): boolean {
  return /replicas|insufficient resources|no suitable peers/i.test(String(err));
}

function replicasHint(err: unknown, replicas: number, key: string): string {
  return isReplicasRefusal(err) ? ` with ${replicas} replica(s) (${key}: the servers cannot hold R${replicas}; a single server holds only 1)` : '';
}

function replicasChange(was: number | undefined, now: number, key: string): string {
  return was === undefined || was === now ? '' : ` from ${was} to ${now} replica(s) (${key})`;
}

/** A subject token may not hold separators or wildcards. */
function token(value: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) {
    throw new BusError(BusErrorCodes.publishRejected, `"${value}" cannot be a subject token: use letters, digits, '-' and '_'`);
  }
  return value;
}
