import { describe, expect, it } from 'vitest';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { trace } from '@opentelemetry/api';
import { startTelemetry } from '@herald/core-telemetry';
import { extractTraceContext, headerRecord, injectTraceContext } from './trace-headers.ts';

startTelemetry({ serviceName: 'trace-headers-test', serviceVersion: '0.0.0', env: {} });
const traceId = '0af7651916cd43dd8448eb211c80319c';
const traceparent = `00-${traceId}-b7ad6b7169203331-01`;

describe('trace context in NATS headers', () => {
  it('reads the trace context a message came with, in whatever case its producer wrote the header', () => {
    for (const name of ['traceparent', 'Traceparent', 'TRACEPARENT']) {
      const h = natsHeaders();
      h.set('Nats-Msg-Id', 'a');
      h.set(name, traceparent);
      const record = headerRecord(h);
      expect(record).toEqual({ 'Nats-Msg-Id': 'a', [name]: traceparent });
      expect(trace.getSpanContext(extractTraceContext(record))).toMatchObject({ traceId, spanId: 'b7ad6b7169203331', isRemote: true });
    }
    expect(trace.getSpanContext(extractTraceContext(headerRecord(undefined)))).toBeUndefined();
  });

  it('writes the context it read back out unchanged', () => {
    const incoming = natsHeaders();
    incoming.set('Traceparent', traceparent);
    const outgoing = natsHeaders();
    injectTraceContext(extractTraceContext(headerRecord(incoming)), outgoing);
    expect(outgoing.get('traceparent')).toBe(traceparent);
  });
});
