import { propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './__fixtures__/receiver.ts';
import { notification, startSink } from './__fixtures__/sink-harness.ts';
import { webhookServiceConfigSchema } from './webhook.config.ts';

let receiver: Receiver;
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(async () => {
  receiver = await startReceiver();
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(async () => {
  propagation.disable();
  await receiver.close();
  await provider.shutdown();
});

describe('webhook sink: tracing', () => {
  it('makes one client span per HTTP request (the attempt number as resend count) and passes its context to the receiver', async () => {
    receiver.respond((_req, res, i) => (i === 0 ? res.writeHead(503).end() : res.end('ok')));
    const sink = await startSink({}, provider.getTracer('herald.plugin.webhook'));
    const post = notification({ webhook: { webhook: { method: 'POST', path: '/hook?key=s3cretvalue', body: 'b' } } });
    const service = { type: 'webhook', name: 'webhook', config: webhookServiceConfigSchema.parse({ url: receiver.origin }) };
    await expect(sink.handle.send(post, { attempt: 1, signal: new AbortController().signal, service })).rejects.toMatchObject({ retryable: true });
    await sink.handle.send(post, { attempt: 2, signal: new AbortController().signal, service });
    await sink.handle.stop();

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['POST 127.0.0.1', 'POST 127.0.0.1']);
    expect(spans.every((s) => s.kind === SpanKind.CLIENT)).toBe(true);
    expect(spans[0]!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.full': `${receiver.origin}/hook?key=***`,
      'server.address': '127.0.0.1',
      'server.port': receiver.port,
      'http.response.status_code': 503,
      'error.type': '503',
    });
    expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans[1]!.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.request.resend_count': 1 });
    expect(spans[1]!.status.code).not.toBe(SpanStatusCode.ERROR);
    // Each request carries its own span as parent, so the receiver's spans join the delivery's trace.
    expect(receiver.requests.map((r) => r.headers.traceparent)).toEqual(spans.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
  });
});
