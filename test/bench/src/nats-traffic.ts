import { appendFileSync } from 'node:fs';
import { connect, type NatsConnection } from '@nats-io/transport-node';

/** BENCH_NATS_TAP_LOG: a file the tap writes its first requests to (subject, reply, size), to see what a kind is. */
const tapLog = process.env.BENCH_NATS_TAP_LOG;

/**
 * What Herald asked of nats-server during a stretch of the benchmark, without touching Herald: the server's
 * own counters (`/connz`: messages each connection sent; `/jsz`: JetStream API calls), and, with
 * BENCH_NATS_TAP=1, a wire tap (a subscription to `>`) that sorts every request by what it is. The tap makes the
 * server copy every message once more, so its run's CPU figures are not comparable; the counters cost nothing.
 */
export interface NatsTraffic {
  /** Messages Herald's connections sent (requests, publishes, acknowledgements). */
  heraldMessages: number;
  /** JetStream API calls (the bench's own polling excluded when tapped). */
  jsApiCalls: number;
  /** Requests (messages with a reply subject) by kind, and messages delivered to consumers; only when tapped. */
  requests?: Record<string, number>;
}

interface ServerCounters {
  /** in_msgs by connection id, for connections named by Herald. */
  herald: Map<number, number>;
  jsApi: number;
}

export class NatsTrafficMeter {
  readonly #monitorUrl: string;
  readonly #tap: NatsConnection | undefined;
  #before: ServerCounters | undefined;
  #counts = new Map<string, number>();
  #logged = 0;

  private constructor(monitorUrl: string, tap: NatsConnection | undefined) {
    this.#monitorUrl = monitorUrl;
    this.#tap = tap;
    if (tap) {
      tap.subscribe('>', {
        callback: (_err, m) => {
          if (!m.reply) return;
          if (tapLog && this.#logged++ < 5_000) appendFileSync(tapLog, `${m.subject} ${m.reply} ${m.data.length}\n`);
          // A message JetStream delivers to a consumer carries the subject it was stored under and an ack reply.
          const kind = m.reply.startsWith('$JS.ACK.') ? `delivered: ${m.reply.split('.').slice(2, 4).join(' → ')}` : requestKind(m.subject, m.headers?.get('KV-Operation'), m.data);
          this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
        },
      });
    }
  }

  static async start(monitorUrl: string, natsUrl: string, tap: boolean): Promise<NatsTrafficMeter> {
    return new NatsTrafficMeter(monitorUrl, tap ? await connect({ servers: natsUrl, name: 'bench-tap' }) : undefined);
  }

  async begin(): Promise<void> {
    this.#counts = new Map();
    this.#before = await this.#read();
  }

  async end(): Promise<NatsTraffic> {
    const after = await this.#read();
    const before = this.#before!;
    let heraldMessages = 0;
    for (const [cid, n] of after.herald) heraldMessages += n - (before.herald.get(cid) ?? 0);
    const requests = this.#tap ? Object.fromEntries([...this.#counts].sort((a, b) => b[1] - a[1])) : undefined;
    // The bench's own JetStream calls (it polls consumer state to know the bus settled) are not Herald's.
    const benchCalls = this.#tap ? (this.#counts.get('bench: consumer list/info') ?? 0) : 0;
    return { heraldMessages, jsApiCalls: after.jsApi - before.jsApi - benchCalls, ...(requests ? { requests } : {}) };
  }

  async close(): Promise<void> {
    await this.#tap?.close();
  }

  async #read(): Promise<ServerCounters> {
    const connz = (await (await fetch(`${this.#monitorUrl}/connz?limit=1024`)).json()) as { connections?: { cid: number; name?: string; in_msgs: number }[] };
    const jsz = (await (await fetch(`${this.#monitorUrl}/jsz`)).json()) as { api?: { total?: number } };
    const herald = new Map<number, number>();
    for (const c of connz.connections ?? []) if (c.name?.startsWith('herald')) herald.set(c.cid, c.in_msgs);
    return { herald, jsApi: jsz.api?.total ?? 0 };
  }
}

/** A request's kind, from its subject (and for KV writes, what it writes). */
function requestKind(subject: string, kvOperation: string | undefined, data: Uint8Array): string {
  if (subject.startsWith('$JS.API.DIRECT.GET.')) return data.length && new TextDecoder().decode(data).includes('multi_last') ? 'kv group read (direct, multi_last)' : 'kv get (direct)';
  if (subject.startsWith('$JS.API.STREAM.MSG.GET.')) return 'kv get (leader, STREAM.MSG.GET)';
  if (subject.startsWith('$JS.API.CONSUMER.LIST.') || subject.startsWith('$JS.API.CONSUMER.INFO.') || subject.startsWith('$JS.API.CONSUMER.NAMES.')) return 'bench: consumer list/info';
  if (subject.startsWith('$JS.API.CONSUMER.MSG.NEXT.')) return 'pull (CONSUMER.MSG.NEXT)';
  if (subject.startsWith('$JS.API.')) return `js api ${subject.split('.').slice(2, 4).join('.')}`;
  if (subject.startsWith('$JS.ACK.')) return 'ack with reply';
  if (subject.startsWith('$KV.')) {
    const key = subject.split('.').at(-1) ?? '';
    const decodedKey = Buffer.from(key, 'base64url').toString('utf8');
    if (kvOperation === 'DEL' || kvOperation === 'PURGE') return `kv ${kvOperation.toLowerCase()} (${subject.split('.')[1]})`;
    if (decodedKey === '~object') return 'kv write: object marker';
    const status = /"status":"(\w+)"/.exec(new TextDecoder().decode(data))?.[1];
    return `kv write: ${status ? `claim ${status}` : subject.split('.')[1]}`;
  }
  // Stream publishes: <prefix>.<channel>.…
  return `publish ${subject.split('.').slice(1, 2).join('.')}`;
}
