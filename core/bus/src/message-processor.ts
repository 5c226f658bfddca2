import type { JsMsg } from '@nats-io/jetstream';
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { isHeraldError, retryAfterOf, sleepUnlessAborted, type Channel, type Delivery, type DeliveryHandler, type EventType, type Logger } from '@herald/plugin-sdk';
import { AttemptsLedger } from './attempts-ledger.ts';
import { decodeEnvelope } from './envelope.ts';
import { isHandBack, isLastAttempt } from './hand-back.ts';
import { BusErrorCodes } from './errors.ts';
import { isBusUnavailable } from './bus-unavailable.ts';
import { isBackPressure } from './stream-full.ts';
import { extractTraceContext, headerRecord } from './trace-headers.ts';

export interface MessageProcessorOptions {
  channel: Channel;
  type: EventType;
  durable: string;
  maxDeliver: number;
  /** Retry a failure in place (keeping the partition's order) instead of redelivering it later. */
  ordered: boolean;
  /**
   * A failure because the bus cannot answer for now (see isBusUnavailable) waits, uncounted, like a full
   * stream. Only for handlers that are Herald's own use of the bus: a sink's delivery error may carry a NATS
   * error of the destination's (a NATS sink's subject with no stream), which is that delivery's failure.
   */
  waitWhileBusUnavailable: boolean;
  handler: DeliveryHandler<unknown>;
  tracer: Tracer;
  logger: Logger;
  ackWaitMs: number;
  backoff: (attempt: number) => number;
  deadLetter: (m: JsMsg, reason: string, code: string, attempts: number) => Promise<void>;
  /** Aborted when the subscription stops: an in-place retry waiting for its turn hands the message back. */
  stopping: AbortSignal;
  attempts: AttemptsLedger;
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
    const { tracer, durable, maxDeliver, logger: log, attempts: ledger } = this.#o;
    const headers = headerRecord(m.headers);
    const parent = extractTraceContext(headers);
    const span = tracer.startSpan(
      `process ${m.subject}`,
      { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': m.subject, 'messaging.consumer.group.name': durable } },
      parent,
    );
    try {
      const decoded = decodeEnvelope(m.data, this.#o.type);
      if (!decoded.ok) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: decoded.reason });
        return await this.#giveUp(m, decoded.reason, BusErrorCodes.malformed, 0);
      }
      // A redelivered message: learn from the ledger how often it was really tried, and mark this run as
      // started, so a run that never ends (the process died) is counted as one.
      const redelivered = m.info.deliveryCount > 1;
      const key = AttemptsLedger.key(durable, m.info.stream, m.seq);
      const prior = redelivered ? await ledger.get(key) : { failed: 0, unfinished: 0 };
      if (prior.unfinished >= maxDeliver) {
        await this.#giveUp(m, `started ${prior.unfinished} times without an outcome; the process handling it may have crashed`, BusErrorCodes.crashed, prior.failed + prior.unfinished);
        return await ledger.clear(key);
      }
      if (redelivered) await ledger.put(key, { failed: prior.failed, unfinished: prior.unfinished + 1 });
      let waits = 0;
      for (let attempt = prior.failed + 1; ; attempt++) {
        const delivery: Delivery<unknown> = { event: decoded.event, subject: m.subject, deliveryCount: attempt, traceparent: headers.traceparent, headers };
        try {
          await context.with(trace.setSpan(parent, span), () => this.#o.handler(delivery));
          // Not ackAck: waiting for the server's word costs a request per message (an inbox reply, a timer, an
          // Error nats.js builds per request) and changes nothing: the handler's work is done either way, and an
          // acknowledgement lost on the way (the connection dropped) brings the message again after the ack
          // wait, as an unconfirmed ackAck did. Acknowledgements go out in order on the connection.
          try {
            m.ack();
          } catch (err) {
            // The connection is closed or draining: the server redelivers after the ack wait.
            log.warn({ err, subject: m.subject }, 'acknowledgement not sent; the message may come again');
          }
          if (redelivered || attempt > 1) await ledger.clear(key).catch(() => undefined);
          return;
        } catch (err) {
          span.recordException(err as Error);
          if (isHandBack(err)) {
            // Interrupted by a stop, or stepped aside (a sink's destination is busy or rate limited, and the
            // error says when to come again): not the message's fault, and not an attempt.
            if (redelivered) await ledger.put(key, prior).catch(() => undefined);
            m.nak(retryAfterOf(err));
            return;
          }
          const full = isBackPressure(err);
          if (full || (this.#o.waitWhileBusUnavailable && isBusUnavailable(err))) {
            // A stream the handler publishes to is full, or the bus cannot answer for now (no leader; see
            // isBusUnavailable): the message waits its turn, however long that takes (it was counted as
            // started above; the ledger forgets that). Dead-lettering it would lose what the bus protects,
            // e.g. an evaluator's pending claim, or a release the object's next change depends on.
            attempt--;
            const delay = this.#o.backoff(++waits);
            log.warn({ err, subject: m.subject, delayMs: delay }, full ? 'a stream the handler publishes to is full; waiting' : 'the bus is unavailable; waiting');
            if (redelivered) await ledger.put(key, prior).catch(() => undefined);
            if (!this.#o.ordered) {
              m.nak(delay);
              return;
            }
            if (!(await sleepUnlessAborted(delay, this.#o.stopping))) {
              m.nak();
              return;
            }
            continue;
          }
          const retryable = isHeraldError(err) ? err.retryable : true;
          if (!retryable || attempt >= maxDeliver || isLastAttempt(err)) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
            const reason = retryable ? `gave up after ${attempt} attempts: ${(err as Error).message}` : `permanent failure: ${(err as Error).message}`;
            log.error({ err, subject: m.subject, attempt }, 'message sent to the dead-letter stream');
            await this.#giveUp(m, reason, isHeraldError(err) ? err.code : BusErrorCodes.handlerFailed, attempt);
            return await ledger.clear(key).catch(() => undefined);
          }
          const delay = retryAfterOf(err) ?? this.#o.backoff(attempt);
          log.warn({ err, subject: m.subject, attempt, delayMs: delay }, 'handler failed; retrying');
          if (!this.#o.ordered) {
            await ledger.put(key, { failed: attempt, unfinished: prior.unfinished });
            m.nak(delay);
            return;
          }
          if (!(await sleepUnlessAborted(delay, this.#o.stopping))) {
            // Stopping while waiting to retry in place: the next consumer goes on from this count.
            await ledger.put(key, { failed: attempt, unfinished: prior.unfinished }).catch(() => undefined);
            m.nak();
            return;
          }
        }
      }
    } finally {
      span.end();
    }
  }

  async #giveUp(m: JsMsg, reason: string, code: string, attempts: number): Promise<void> {
    // Dead-letter first: if that fails the message stays unacknowledged and comes again; nothing is lost.
    await this.#o.deadLetter(m, reason, code, attempts);
    m.term(reason);
  }
}
