import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '@herald/plugin-nats';
import { untilTopology, type TopologyWaitOptions } from './topology-wait.ts';
import type { Tracer } from '@opentelemetry/api';
import type { Channel, Logger, PluginStore, Subscription } from '@herald/plugin-sdk';
import { natsConnectOptions, type NatsConnectionOptions } from './connection-options.ts';
import { BusError, BusErrorCodes } from './errors.ts';
import { redactServerUrls } from './server-url.ts';
import { AttemptsLedger } from './attempts-ledger.ts';
import { BusMetrics } from './bus-metrics.ts';
import { ProcessRegistry } from './process-registry.ts';
import { JetStreamKvStore, scopedStore, type KvStore } from './kv-store.ts';
import { BusResyncRequests } from './resync-requests.ts';
import { consumeStateChanges, type StateChange } from './state-changes.ts';
import { CurrentRead, readStateEpoch } from './state-epoch.ts';
import { purgeAcknowledged } from './stream-room.ts';
import { parseDeadLetter, type DeadLetter } from './dead-letters.ts';
import { defaultPublisherOptions, JetStreamPublisher, type PublisherOptions } from './publisher.ts';
import { defaultSubscriberOptions, JetStreamSubscriber, type SubscriberOptions } from './subscriber.ts';
import { defaultTopology, Topology, type TopologyOptions } from './topology.ts';
import { isStreamNotFound } from './stream-not-found.ts';

const PING_INTERVAL_MS = 5_000;
// JetStream API error codes.
const CONSUMER_NOT_FOUND = 10014;

export interface BusOptions extends NatsConnectionOptions {
  topology?: TopologyOptions;
  publisher?: Omit<PublisherOptions, 'source'>;
  subscriber?: SubscriberOptions;
  /** Pacing of the tries while JetStream does not answer at start (default: 0.5 s doubling to 5 s). */
  topologyWait?: TopologyWaitOptions;
}

/**
 * One NATS connection with Herald's topology in place. Losing the server is normal: the connection
 * reconnects forever, publishers retry, consumers resume.
 */
export class Bus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly topology: Topology;
  readonly #state: KvStore;
  /** The state bucket's epoch when this process connected: what its sources' events carry. */
  readonly #stateEpochAtConnect: string | undefined;
  readonly #stateEpoch: CurrentRead<string | undefined>;
  readonly #plugins: KvStore;
  readonly #resyncRequests: BusResyncRequests;
  readonly #pace: KvStore;
  readonly #attempts: AttemptsLedger;
  readonly #members: KV;
  readonly #link: { connected: boolean };
  readonly #options: BusOptions;
  readonly #logger: Logger;
  readonly #metrics: BusMetrics;
  #drained: Promise<void> | undefined;

  private constructor(parts: {
    nc: NatsConnection;
    jsm: JetStreamManager;
    topology: Topology;
    state: KvStore;
    plugins: KvStore;
    pluginsKv: KV;
    pace: KvStore;
    attempts: AttemptsLedger;
    members: KV;
    link: { connected: boolean };
    options: BusOptions;
    logger: Logger;
    stateEpoch?: string;
  }) {
    this.#stateEpochAtConnect = parts.stateEpoch;
    this.#stateEpoch = new CurrentRead(() => readStateEpoch(parts.jsm, parts.topology.stateBucket));
    this.#attempts = parts.attempts;
    this.#members = parts.members;
    this.#link = parts.link;
    this.nc = parts.nc;
    this.js = jetstream(parts.nc);
    this.jsm = parts.jsm;
    this.topology = parts.topology;
    this.#state = parts.state;
    this.#plugins = parts.plugins;
    this.#resyncRequests = new BusResyncRequests(parts.plugins, parts.pluginsKv, parts.logger);
    this.#pace = parts.pace;
    this.#options = parts.options;
    this.#logger = parts.logger;
    this.#metrics = new BusMetrics(parts.jsm, parts.topology.streamName('deadLetters'));
  }

  /** Connects (waiting for the server if it is not up yet) and creates streams and the KV buckets. */
  static async connect(options: BusOptions, logger: Logger): Promise<Bus> {
    let nc: NatsConnection;
    // With waitOnFirstConnect the client keeps trying until the server is up (NATS may start after Herald).
    // A server cut off by the network sends no FIN: only missed pings tell, after pingInterval × (maxPingOut
    // + 1). At 5 s × 3 a process whose member was partitioned away moves to another within about 15 s (the
    // client's 2 min default, and our earlier 10 s, left publishes stalled for half a minute).
    logger.info({ servers: options.servers.map(redactServerUrls) }, 'connecting to NATS');
    try {
      nc = await connectNats(natsConnectOptions(options, { maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect: true, pingInterval: PING_INTERVAL_MS, maxPingOut: 2 }));
    } catch (cause) {
      throw new BusError(BusErrorCodes.connect, redactServerUrls(`cannot connect to NATS at ${options.servers.join(', ')}: ${String(cause)}`), { cause, retryable: true });
    }
    logger.info({ server: redactServerUrls(nc.getServer()) }, 'connected to NATS');
    const link = { connected: true };
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') {
          link.connected = false;
          logger.warn({ server: redactServerUrls(s.server) }, 'disconnected from NATS; reconnecting');
        } else if (s.type === 'reconnect') {
          link.connected = true;
          logger.info({ server: redactServerUrls(s.server) }, 'reconnected to NATS');
        }
        else if (s.type === 'error') logger.error({ err: s.error }, 'NATS connection error');
      }
    })();
    try {
      const topology = new Topology(options.topology ?? defaultTopology);
      const maxPayload = nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
      for (const [channel, limits] of Object.entries(topology.options.streams)) {
        if (limits.maxMsgSize > maxPayload) {
          logger.warn({ channel, maxMsgSize: limits.maxMsgSize, serverMaxPayload: maxPayload }, 'stream message size capped at the server max_payload');
        }
      }
      const { jsm, buckets } = await untilTopology(async () => {
        const jsm = await jetstreamManager(nc);
        return { jsm, buckets: await topology.ensure(nc, jsm, maxPayload) };
      }, logger, options.topologyWait);
      // Read once, before any source of this process starts: what its events are tagged with (STATE_EPOCH_HEADER).
      // Without it their events go untagged, and a first sight reads the object again, as for any other source.
      const stateEpoch = await readStateEpoch(jsm, topology.stateBucket).catch((err: unknown) => {
        logger.warn({ err }, 'cannot read the state bucket\'s epoch: objects seen for the first time are read again from their API server');
        return undefined;
      });
      return new Bus({
        nc,
        jsm,
        topology,
        state: new JetStreamKvStore(buckets.state, jsm, topology.stateBucket, { leaderReads: topology.options.state.replicas > 1 }),
        plugins: new JetStreamKvStore(buckets.plugins, jsm, topology.pluginsBucket, { leaderReads: (topology.options.plugins ?? topology.options.state).replicas > 1 }),
        pluginsKv: buckets.plugins,
        pace: new JetStreamKvStore(buckets.pace, jsm, topology.paceBucket, { leaderReads: topology.options.state.replicas > 1 }),
        attempts: new AttemptsLedger(buckets.attempts), members: buckets.members, link, options, logger, ...(stateEpoch === undefined ? {} : { stateEpoch }) });
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  publisher(source: string, tracer: Tracer): JetStreamPublisher {
    const serverMaxPayload = this.nc.info?.max_payload;
    return new JetStreamPublisher(
      this.js,
      this.topology,
      tracer,
      {
        source,
        ...(this.#options.publisher ?? defaultPublisherOptions),
        ...(serverMaxPayload ? { serverMaxPayload } : {}),
        ...(this.#stateEpochAtConnect === undefined ? {} : { stateEpoch: this.#stateEpochAtConnect }),
      },
      { makeRoom: (stream) => purgeAcknowledged(this.jsm, stream), logger: this.#logger },
    );
  }

  subscriber(tracer: Tracer, logger: Logger): JetStreamSubscriber {
    const maxPayload = this.nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
    return new JetStreamSubscriber({
      js: this.js,
      jsm: this.jsm,
      topology: this.topology,
      deadLetters: this.publisher('herald/bus', tracer),
      tracer,
      logger,
      options: this.#options.subscriber ?? defaultSubscriberOptions,
      attempts: this.#attempts,
      members: this.#members,
      recreateTopology: async () => {
        await this.topology.ensure(this.nc, this.jsm, maxPayload);
      },
      // Room for the envelope's other attributes and the headers around the letter.
      maxDeadLetterPayload: Math.min(this.topology.options.streams.deadLetters.maxMsgSize, maxPayload) - 16 * 1024,
      closed: () => this.nc.isClosed(),
      flush: () => this.nc.flush(),
      connected: () => this.#link.connected,
      metrics: this.#metrics,
    });
  }

  /** Announces something on `herald.system.<name>` as a CloudEvent (plain NATS: lost when nobody listens). */
  announce(name: string, type: string, source: string, data: unknown): void {
    if (this.nc.isClosed()) return;
    const event = { specversion: '1.0', id: randomUUID(), source, type, time: new Date().toISOString(), datacontenttype: 'application/json', data };
    this.nc.publish(this.topology.systemSubject(name), JSON.stringify(event));
  }

  /** Calls `handler` with the group (object UID), revision and change (key, value) of each changed key of the state bucket (see consumeStateChanges). */
  stateChanges(durable: string, logger: Logger, handler: (group: string, revision: number, change?: StateChange) => Promise<void>): Promise<Subscription> {
    const maxPayload = this.nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
    return consumeStateChanges(
      {
        js: this.js,
        jsm: this.jsm,
        bucket: this.topology.stateBucket,
        durable,
        logger,
        closed: () => this.nc.isClosed(),
        connected: () => this.#link.connected,
        recreateTopology: async () => {
          await this.topology.ensure(this.nc, this.jsm, maxPayload);
        },
      },
      handler,
    );
  }

  /**
   * The state bucket's epoch as it is now (see readStateEpoch), from a read started after the call; callers
   * asking meanwhile share it. Undefined when the bucket does not exist.
   */
  stateEpoch(): Promise<string | undefined> {
    return this.#stateEpoch.get();
  }

  /** The state bucket, as plain keys: what its values mean (dedup claims) is core/dedup's business. */
  get state(): KvStore {
    return this.#state;
  }

  /** Where this process announces what it runs (core/kernel's heartbeat; `herald status` reads it). */
  get processes(): ProcessRegistry {
    return new ProcessRegistry(this.#members);
  }

  /** Durable keys of one plugin, apart from every other plugin's and from the dedup claims. */
  pluginStore(pluginId: string): PluginStore {
    return scopedStore(this.#plugins, pluginId);
  }

  /**
   * The requests that sources publish every object again, kept in the plugins bucket (see resync-requests.ts):
   * sources watch them, the evaluator records the notification config's parts there.
   */
  get resyncRequests(): BusResyncRequests {
    return this.#resyncRequests;
  }

  /**
   * The shared pace of one service type's destinations (core/delivery's SharedPace keeps a key per
   * destination here), apart from every other type's.
   */
  paceStore(serviceType: string): PluginStore {
    return scopedStore(this.#pace, serviceType);
  }

  /**
   * The service types that have notifications in the notification stream now (its subjects'
   * `<prefix>.notifications.<serviceType>.<partition>`), for the sweeper of types no sink delivers.
   */
  async notificationTypes(): Promise<string[]> {
    const base = `${this.topology.channelSubject('notifications')}.`;
    const info = await this.jsm.streams.info(this.topology.streamName('notifications'), { subjects_filter: `${base}>` });
    return [...new Set(Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(base.length).split('.')[0]!))].sort();
  }

  /**
   * The newest dead letter of each notification that has one (`<prefix>.dlq.notifications.<key hash>`: each
   * failure replaced the one before), in the order of their subjects, those after `after`, at most `limit`:
   * for the state role's sweep. Letters an older Herald wrote on `<prefix>.dlq.notifications` itself are not
   * among them.
   */
  async notificationDeadLetters(limit: number, after = ''): Promise<DeadLetter[]> {
    const stream = this.topology.streamName('deadLetters');
    const info = await this.jsm.streams.info(stream, { subjects_filter: `${this.topology.deadLetterSubject('notifications')}.*` });
    const subjects = Object.keys(info.state.subjects ?? {})
      .filter((subject) => subject > after)
      .sort();
    const letters: DeadLetter[] = [];
    for (const subject of subjects.slice(0, limit)) {
      const m = await this.jsm.direct.getMessage(stream, { last_by_subj: subject });
      if (m) letters.push(parseDeadLetter(m, this.topology));
    }
    return letters;
  }

  /** Deletes the dead letter `letter` and any older one on its subject; a newer one stays. Returns how many. */
  async removeDeadLetter(letter: Pick<DeadLetter, 'id' | 'subject'>): Promise<number> {
    return (await this.jsm.streams.purge(this.topology.streamName('deadLetters'), { filter: letter.subject, seq: letter.id + 1 })).purged;
  }

  /**
   * Removes a durable consumer of `channel` that a newer Herald no longer uses; true when there was one.
   * One still in use by an older process is made again by it (its subscription re-creates a durable it lost).
   */
  async retireConsumer(channel: Channel, durable: string): Promise<boolean> {
    try {
      return await this.jsm.consumers.delete(this.topology.streamName(channel), durable);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === CONSUMER_NOT_FOUND) return false;
      if (isStreamNotFound(err)) return false;
      throw err;
    }
  }

  /** Flushes what is pending and closes. Idempotent. */
  drain(): Promise<void> {
    this.#metrics.close();
    return (this.#drained ??= this.nc.isClosed()
      ? Promise.resolve()
      : this.nc.drain().catch((err: unknown) => this.#logger.warn({ err }, 'NATS drain failed')));
  }
}
