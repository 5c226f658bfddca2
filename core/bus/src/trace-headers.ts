import { context, propagation, type Context, type TextMapGetter } from '@opentelemetry/api';
import type { MsgHdrs } from '@nats-io/transport-node';

/** Writes the W3C trace context of `ctx` (traceparent, tracestate) into NATS headers. */
export function injectTraceContext(ctx: Context, headers: MsgHdrs): void {
  propagation.inject(ctx, headers, {
    set: (carrier, key, value) => carrier.set(key, value),
  });
}

/**
 * A message's headers as a record (the first value of each), read once per message. Why: each lookup in
 * nats.js' MsgHdrs builds and filters an array of its keys, lower-casing each for a case-insensitive one,
 * and the propagators look up three headers, each twice.
 */
export function headerRecord(headers: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers) for (const k of headers.keys()) out[k] = headers.get(k);
  return out;
}

const anyCase: TextMapGetter<Readonly<Record<string, string>>> = {
  get(carrier, key) {
    const exact = carrier[key];
    if (exact !== undefined) return exact;
    const lower = key.toLowerCase();
    for (const k in carrier) if (k.length === key.length && k.toLowerCase() === lower) return carrier[k];
    return undefined;
  },
  keys: (carrier) => Object.keys(carrier),
};

/**
 * Reads the W3C trace context from a message's headers (see headerRecord), whatever their case (Go
 * producers write `Traceparent`); the active context when there is none.
 */
export function extractTraceContext(headers: Readonly<Record<string, string>>): Context {
  return propagation.extract(context.active(), headers, anyCase);
}
