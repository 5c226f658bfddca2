import { setTimeout as delay } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/**
 * Waits until every durable consumer of the given streams has nothing pending and nothing unacknowledged
 * for a moment: whatever Herald was going to do about the messages so far, it has done.
 */
export async function waitForSettled(servers: string | string[], streams: readonly string[], timeoutMs = 60_000): Promise<void> {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const deadline = Date.now() + timeoutMs;
    let quietSince: number | undefined;
    for (;;) {
      let busy: string | undefined;
      for (const stream of streams) {
        for await (const c of jsm.consumers.list(stream)) {
          if (!c.config.durable_name) continue;
          if (c.num_pending > 0 || c.num_ack_pending > 0) busy = `${stream}/${c.name}: ${c.num_pending} pending, ${c.num_ack_pending} unacknowledged`;
        }
      }
      if (!busy) {
        quietSince ??= Date.now();
        if (Date.now() - quietSince > 500) return;
      } else quietSince = undefined;
      if (Date.now() > deadline) throw new Error(`the bus did not settle within ${timeoutMs} ms (${busy})`);
      await delay(100);
    }
  } finally {
    await nc.close();
  }
}
