import { context, propagation, type Context } from '@opentelemetry/api';
import { Match, type MsgHdrs } from '@nats-io/transport-node';

/** Writes the W3C trace context of `ctx` (traceparent, tracestate) into NATS headers. */
export function injectTraceContext(ctx: Context, headers: MsgHdrs): void {
  propagation.inject(ctx, headers, {
    set: (carrier, key, value) => carrier.set(key, value),
  });
}

/**
 * Reads the W3C trace context from NATS headers, whatever their case (Go producers write `Traceparent`);
 * the active context when there is none.
 */
export function extractTraceContext(headers: MsgHdrs | undefined): Context {
  if (!headers) return context.active();
  return propagation.extract(context.active(), headers, {
    get: (carrier, key) => (carrier.has(key, Match.IgnoreCase) ? carrier.get(key, Match.IgnoreCase) : undefined),
    keys: (carrier) => carrier.keys(),
  });
}
