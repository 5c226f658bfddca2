import { request } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { propagation, context, trace } from '@opentelemetry/api';
import { createLogger } from './logger.ts';
import { startTelemetry, type Telemetry } from './telemetry.ts';
import { startTelemetryServer, type TelemetryServer } from './telemetry-server.ts';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

let telemetry: Telemetry | undefined;
let server: TelemetryServer | undefined;
afterEach(async () => {
  await server?.close();
  await telemetry?.shutdown();
  server = telemetry = undefined;
});

describe('startTelemetry', () => {
  it('records spans and carries their context in W3C headers, with no exporter configured', async () => {
    const spans = new InMemorySpanExporter();
    const processor = new SimpleSpanProcessor(spans);
    telemetry = startTelemetry({ serviceName: 'test', serviceVersion: '1.2.3', env: {}, spanProcessors: [processor] });
    expect(telemetry.exporting).toBe(false);
    const headers: Record<string, string> = {};
    telemetry.tracer('t').startActiveSpan('work', (span) => {
      propagation.inject(context.active(), headers);
      span.end();
    });
    // The host detector's attributes come asynchronously; the processor exports once they are in.
    await processor.forceFlush();
    const [span] = spans.getFinishedSpans();
    expect(span?.name).toBe('work');
    expect(span?.resource.attributes['service.name']).toBe('test');
    expect(span?.resource.attributes['service.version']).toBe('1.2.3');
    expect(span?.resource.attributes['host.name']).toBeTypeOf('string');
    expect(span?.resource.attributes['process.pid']).toBe(process.pid);
    expect(headers.traceparent).toContain(span!.spanContext().traceId);
  });

  it('records no span with no exporter, yet carries an incoming traceparent through the process unchanged', () => {
    telemetry = startTelemetry({ serviceName: 'test', serviceVersion: '0.0.0', env: {} });
    const incoming = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const parent = propagation.extract(context.active(), incoming);
    const outgoing: Record<string, string> = {};
    const span = telemetry.tracer('t').startSpan('process', {}, parent);
    context.with(trace.setSpan(parent, span), () => {
      // A second hop inside the process, as a publish under a consumer's span.
      telemetry!.tracer('t').startActiveSpan('publish', (inner) => {
        expect(inner.isRecording()).toBe(false);
        propagation.inject(context.active(), outgoing);
        inner.end();
      });
    });
    span.end();
    expect(span.isRecording()).toBe(false);
    expect(outgoing.traceparent).toBe(incoming.traceparent);
    // A change observed with no trace context starts none.
    const fresh: Record<string, string> = {};
    telemetry.tracer('t').startActiveSpan('observe', (root) => {
      propagation.inject(context.active(), fresh);
      root.end();
    });
    expect(fresh).toEqual({});
  });

  it('propagates in the formats OTEL_PROPAGATORS names, B3 among them, and in none with none', () => {
    const injected = (propagators: string) => {
      vi.stubEnv('OTEL_PROPAGATORS', propagators);
      try {
        telemetry = startTelemetry({ serviceName: 'test', serviceVersion: '0.0.0', env: {} });
        const headers: Record<string, string> = {};
        // The context a message came with: what the process passes on.
        const incoming = trace.setSpanContext(context.active(), { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
        context.with(incoming, () =>
          telemetry!.tracer('t').startActiveSpan('work', (span) => {
            propagation.inject(context.active(), headers);
            span.end();
          }),
        );
        return Object.keys(headers).sort();
      } finally {
        vi.unstubAllEnvs();
      }
    };
    expect(injected('b3multi,tracecontext')).toEqual(['traceparent', 'x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
    expect(injected('b3')).toEqual(['b3']);
    expect(injected('none')).toEqual([]);
  });

  it('gives one warning for unusable OTEL_* values and exports nothing', () => {
    const warnings: string[] = [];
    telemetry = startTelemetry({
      serviceName: 'test',
      serviceVersion: '0.0.0',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector', OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' },
      warn: (_fields, message) => warnings.push(message),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('OTEL_EXPORTER_OTLP_PROTOCOL="carrier-pigeon"');
    expect(warnings[0]).toContain('OTEL_EXPORTER_OTLP_ENDPOINT="collector"');
    expect(telemetry.exporting).toBe(false);
  });

  it('exports when an endpoint is set', () => {
    telemetry = startTelemetry({ serviceName: 'test', serviceVersion: '0.0.0', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' } });
    expect(telemetry.exporting).toBe(true);
  });

  it('turns everything off with OTEL_SDK_DISABLED=true: no spans, no context on the wire', () => {
    const spans = new InMemorySpanExporter();
    telemetry = startTelemetry({ serviceName: 'test', serviceVersion: '0.0.0', env: { OTEL_SDK_DISABLED: 'true' }, spanProcessors: [new SimpleSpanProcessor(spans)], prometheus: true });
    const headers: Record<string, string> = {};
    telemetry.tracer('t').startActiveSpan('work', (span) => {
      propagation.inject(context.active(), headers);
      span.end();
    });
    expect(spans.getFinishedSpans()).toEqual([]);
    expect(headers).toEqual({});
    expect(telemetry.metricsHandler).toBeUndefined();
  });

  it('serves Argo-named counters in Prometheus text format', async () => {
    telemetry = startTelemetry({ serviceName: 'test', serviceVersion: '0.0.0', env: {}, prometheus: true });
    const meter = telemetry.meter('t');
    meter.createCounter('notifications_deliveries').add(2, { trigger: 'on-sync', service: 'hook', succeeded: 'true' });
    meter.createCounter('notifications_trigger_eval').add(1, { name: 'on-sync', triggered: 'false' });
    meter.createHistogram('herald.delivery.latency.seconds', { unit: 's' }).record(0.2, { 'herald.service_type': 'webhook' });
    server = await startTelemetryServer({ port: 0, host: '127.0.0.1', metricsHandler: telemetry.metricsHandler, readiness: () => [] });
    const { status, body } = await get(server.port, '/metrics');
    expect(status).toBe(200);
    expect(body).toMatch(/^notifications_deliveries_total\{[^}]*trigger="on-sync"[^}]*\} 2/m);
    expect(body).toMatch(/^notifications_deliveries_total\{[^}]*service="hook"[^}]*succeeded="true"/m);
    expect(body).toMatch(/^notifications_trigger_eval_total\{[^}]*name="on-sync"[^}]*triggered="false"[^}]*\} 1/m);
    expect(body).toMatch(/^herald_delivery_latency_seconds_bucket\{[^}]*herald_service_type="webhook"/m);
    expect(body).toMatch(/^herald_build_info\{version="0.0.0"[^}]*\} 1$/m);
    expect(body.endsWith('\n')).toBe(true);
  });

  it('serves what the process uses: its RSS, its CPU time by mode and V8\'s heap in use by space', async () => {
    telemetry = startTelemetry({ serviceName: 'test', serviceVersion: '0.0.0', env: {}, prometheus: true });
    server = await startTelemetryServer({ port: 0, host: '127.0.0.1', metricsHandler: telemetry.metricsHandler, readiness: () => [] });
    const before = process.memoryUsage.rss();
    const cpu = process.cpuUsage();
    const { body } = await get(server.port, '/metrics');
    const after = process.memoryUsage.rss();
    const value = (pattern: RegExp) => Number(pattern.exec(body)?.[1]);
    // This process's own figures, read around the scrape (RSS moves by a few MiB between reads). The semantic
    // conventions' names; this exporter writes units as `# UNIT` lines, not as suffixes.
    const rss = value(/^process_memory_usage\{[^}]*\} (\d+)$/m);
    expect(rss).toBeGreaterThan(Math.min(before, after) - 16 * 2 ** 20);
    expect(rss).toBeLessThan(Math.max(before, after) + 16 * 2 ** 20);
    const user = value(/^process_cpu_time_total\{[^}]*cpu_mode="user"[^}]*\} ([\d.e+-]+)$/m);
    expect(user).toBeGreaterThanOrEqual(cpu.user / 1e6);
    expect(value(/^process_cpu_time_total\{[^}]*cpu_mode="system"[^}]*\} ([\d.e+-]+)$/m)).toBeGreaterThan(0);
    const oldSpace = value(/^v8js_memory_heap_used\{[^}]*v8js_heap_space_name="old_space"[^}]*\} (\d+)$/m);
    expect(oldSpace).toBeGreaterThan(0);
    expect(oldSpace).toBeLessThan(rss);
  });
});

describe('startTelemetryServer', () => {
  it('is alive at once, ready only when every check passes, and says which failed', async () => {
    let checks: { name: string; check: () => true | string }[] = [];
    server = await startTelemetryServer({ port: 0, host: '127.0.0.1', readiness: () => checks });
    expect((await get(server.port, '/healthz')).status).toBe(200);
    expect((await get(server.port, '/readyz')).status).toBe(503);
    checks = [
      { name: 'nats', check: () => true },
      { name: 'plugins', check: () => 'webhook failed' },
    ];
    const notReady = await get(server.port, '/readyz');
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.body)).toEqual({ status: 'not ready', checks: { nats: 'ok', plugins: 'webhook failed' } });
    checks = [{ name: 'nats', check: () => true }];
    expect((await get(server.port, '/readyz')).status).toBe(200);
    expect((await get(server.port, '/metrics')).status).toBe(404);
  });
});

describe('createLogger', () => {
  it('puts trace_id and span_id on the lines written inside a span, and only there', () => {
    telemetry = startTelemetry({ serviceName: 'test', serviceVersion: '0.0.0', env: {}, spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
    const logger = createLogger('test', { destination });
    logger.info('outside');
    let ids: { traceId: string; spanId: string } | undefined;
    telemetry.tracer('t').startActiveSpan('deliver', (span) => {
      ids = span.spanContext();
      logger.child({ component: 'sink' }).info('sent');
      span.end();
    });
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ msg: 'sent', trace_id: ids!.traceId, span_id: ids!.spanId });
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
