import { setTimeout as delay } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** One resource event as the source published it: which Pod, in which phase, with which round marker. */
export interface IndexedEvent {
  seq: number;
  /** When the stream stored it (epoch ms). */
  at: number;
  action: string;
  phase: string | undefined;
  marker: string | undefined;
  resourceVersion: string | undefined;
}

export interface EventIndex {
  /** The events of one Pod, in stream order. */
  of(pod: string): readonly IndexedEvent[];
  /** Messages read, poison included. */
  readonly count: number;
  /** Resolves once the source has published, for every Pod named, a state carrying `marker`. */
  waitForMarker(pods: readonly string[], marker: string, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Follows a Herald events stream from its start, across nats-server restarts, and indexes what the source
 * published per Pod. It reads by sequence and has no consumer, so "settled" never waits for it. The driver waits on it: a state is "persisting" once it is on the bus.
 */
export async function followEvents(servers: string | string[], stream: string): Promise<EventIndex> {
  // Short pings: on the cluster, a member cut off by a partition is noticed in seconds, as Herald does.
  const nc = await connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 250, pingInterval: 2_000, maxPingOut: 2 });
  const byPod = new Map<string, IndexedEvent[]>();
  const markers = new Map<string, Set<string>>();
  let last = 0;
  let count = 0;
  let closing = false;

  const record = (seq: number, at: number, text: string) => {
    count++;
    let event: { data?: { action?: string; ref?: { name?: string }; resourceVersion?: string; object?: { status?: { phase?: string; message?: string } } } };
    try {
      event = JSON.parse(text) as typeof event;
    } catch {
      return; // poison: not a resource event
    }
    const name = event.data?.ref?.name;
    if (typeof name !== 'string') return;
    const status = event.data?.object?.status;
    const entry: IndexedEvent = { seq, at, action: String(event.data?.action), phase: status?.phase, marker: status?.message, resourceVersion: event.data?.resourceVersion };
    let list = byPod.get(name);
    if (!list) byPod.set(name, (list = []));
    list.push(entry);
    if (entry.marker !== undefined) {
      let set = markers.get(entry.marker);
      if (!set) markers.set(entry.marker, (set = new Set()));
      set.add(name);
    }
  };

  // Direct batch reads by sequence rather than a consumer: nothing to recover after a server restart.
  const reading = (async () => {
    while (!closing) {
      try {
        const jsm = await jetstreamManager(nc);
        while (!closing) {
          const { state } = await jsm.streams.info(stream);
          if (state.last_seq <= last) {
            await delay(50);
            continue;
          }
          for await (const m of await jsm.direct.getBatch(stream, { seq: last + 1, batch: 256 })) {
            last = m.seq;
            record(m.seq, m.time.getTime(), m.string());
          }
        }
      } catch {
        // The server is restarting: read on after the last message read.
        await delay(250);
      }
    }
  })();

  return {
    of: (pod) => byPod.get(pod) ?? [],
    get count() {
      return count;
    },
    async waitForMarker(pods, marker, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = markers.get(marker);
        const missing = pods.filter((p) => !seen?.has(p));
        if (missing.length === 0) return;
        if (Date.now() > deadline) {
          throw new Error(`the source never published "${marker}" for ${missing.length} Pod(s) within ${timeoutMs} ms, e.g. ${missing.slice(0, 5).join(', ')} (stream read up to seq ${last})`);
        }
        await delay(100);
      }
    },
    async close() {
      closing = true;
      await Promise.race([reading, delay(2_000)]);
      await nc.close();
    },
  };
}
