import type { JetStreamManager } from '@nats-io/jetstream';

/**
 * Makes room in a full stream. Streams refuse new messages when full (discard new) instead of dropping the
 * oldest, which may not have been delivered yet. What every consumer of the stream has acknowledged is no
 * longer needed by Herald: it is purged, oldest first, as discard old would have dropped it. A stream
 * without consumers (the dead letters, or events before an evaluator ever started) loses nothing: it stays
 * full until an operator purges it or its messages reach their max age. Returns how many were purged.
 */
export async function purgeAcknowledged(jsm: JetStreamManager, stream: string): Promise<number> {
  const info = await jsm.streams.info(stream);
  // Read before the consumers: a consumer seen with nothing pending has handled at least up to here.
  const last = info.state.last_seq;
  let floor: number | undefined;
  for await (const c of jsm.consumers.list(stream)) {
    // A consumer with nothing pending has nothing below `last` left; otherwise everything up to its ack
    // floor is acknowledged (a filtered consumer's floor may lag behind other subjects: that only purges less).
    const handled = c.num_pending === 0 && c.num_ack_pending === 0 ? last : c.ack_floor.stream_seq;
    floor = floor === undefined ? handled : Math.min(floor, handled);
  }
  if (floor === undefined || floor < info.state.first_seq) return 0;
  const { purged } = await jsm.streams.purge(stream, { seq: floor + 1 });
  return purged;
}
