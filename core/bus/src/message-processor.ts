import type { JsMsg } from '@nats-io/jetstream';
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { isDeliveryError, isHeraldError, type Channel, type Delivery, type DeliveryHandler, type EventType, type Logger } from '@herald/plugin-sdk';
import { decodeEnvelope } from './envelope.ts';
import { BusErrorCodes } from './errors.ts';
import { extractTraceContext } from './trace-headers.ts';

export interface MessageProcessorOptions {
  channel: Channel;
  type: EventType;
  durable: string;
  maxDeliver: number;
  /** Retry a failure in place (keeping the partition's order) instead of redelivering it later. */
  ordered: boolean;
  handler: DeliveryHandler<unknown>;
  tracer: Tracer;
  logger: Logger;
  ackWaitMs: number;
  backoff: (attempt: number) => number;
  deadLetter: (m: JsMsg, reason: string, code: string, attempts: number) => Promise<void>;
  /** Aborted when the subscription stops: an in-place retry waiting for its turn hands the message back. */
  stopping: AbortSignal;
}

/**
 * Takes one message to its outcome: handled and acknowledged, retried, or dead-lettered with the reason.
 * The handler runs inside the trace context the message carried.
 */
export class MessageProcessor {
  readonly #o: MessageProcessorOptions;

  constructor(options: MessageProcessorOptions) {
    this.#o = options;
  }

  /**
   * Tells the server the message is being worked on, from now until the returned function is called, so
   * time spent queued behind its partition or in a slow handler never counts against the ack wait.
   */
  keepAlive(m: JsMsg): () => void {
    const timer = setInterval(() => m.working(), Math.max(this.#o.ackWaitMs / 3, 100));
    timer.unref();
    return () => clearInterval(timer);
  }

  async process(m: JsMsg): Promise<void> {
    const { tracer, durable, maxDeliver, logger: log } = this.#o;
    const parent = extractTraceContext(m.headers);
    const span = tracer.startSpan(
      `process ${m.subject}`,
      { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': m.subject, 'messaging.consumer.group.name': durable } },
      parent,
    );
    try {
      const decoded = decodeEnvelope(m.data, this.#o.type);
      if (!decoded.ok) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: decoded.reason });
        return await this.#giveUp(m, decoded.reason, BusErrorCodes.malformed);
      }
      const headers: Record<string, string> = {};
      for (const key of m.headers?.keys() ?? []) headers[key] = m.headers!.get(key);
      // Ordered: attempts are counted here, since a message handed back at a stop comes again with a higher
      // delivery count without having been tried. Unordered: every redelivery is an attempt.
      for (let attempt = this.#o.ordered ? 1 : m.info.deliveryCount; ; attempt++) {
        const delivery: Delivery<unknown> = { event: decoded.event, subject: m.subject, deliveryCount: attempt, traceparent: headers.traceparent, headers };
        try {
          await context.with(trace.setSpan(parent, span), () => this.#o.handler(delivery));
          await m.ackAck().catch((err: unknown) => log.warn({ err, subject: m.subject }, 'acknowledgement not confirmed; the message may come again'));
          return;
        } catch (err) {
          span.recordException(err as Error);
          if (this.#o.stopping.aborted) {
            // Failed because it was interrupted by the stop: it is not the message's fault; hand it back.
            m.nak();
            return;
          }
          const retryable = isHeraldError(err) ? err.retryable : true;
          if (!retryable || attempt >= maxDeliver) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
            const reason = retryable ? `gave up after ${attempt} deliveries: ${(err as Error).message}` : `permanent failure: ${(err as Error).message}`;
            log.error({ err, subject: m.subject, attempt }, 'message sent to the dead-letter stream');
            return await this.#giveUp(m, reason, isHeraldError(err) ? err.code : BusErrorCodes.handlerFailed, attempt);
          }
          const delay = isDeliveryError(err) && err.retryAfterMs !== undefined ? err.retryAfterMs : this.#o.backoff(attempt);
          log.warn({ err, subject: m.subject, attempt, delayMs: delay }, 'handler failed; retrying');
          if (!this.#o.ordered) {
            m.nak(delay);
            return;
          }
          if (!(await sleepUnlessAborted(delay, this.#o.stopping))) {
            m.nak();
            return;
          }
        }
      }
    } finally {
      span.end();
    }
  }

  async #giveUp(m: JsMsg, reason: string, code: string, attempts = m.info.deliveryCount): Promise<void> {
    // Dead-letter first: if that fails the message stays unacknowledged and comes again; nothing is lost.
    await this.#o.deadLetter(m, reason, code, attempts);
    m.term(reason);
  }
}

/** Sleeps `ms`; resolves false at once if `signal` aborts first. */
function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
