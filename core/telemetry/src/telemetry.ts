import { metrics, type Meter, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  /** Extra span processors (tests use an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
  metricReaders?: MetricReader[];
  env?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  tracer(name: string): Tracer;
  meter(name: string): Meter;
  /** Flushes and stops exporters. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Traces are always recorded, so trace context travels across the bus even with no exporter; spans are
 * exported over OTLP only when the standard OTEL_EXPORTER_OTLP_* variables name an endpoint.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? options.serviceName,
    [ATTR_SERVICE_VERSION]: options.serviceVersion,
  });
  const spanProcessors = [...(options.spanProcessors ?? [])];
  const exporterWanted = (env.OTEL_TRACES_EXPORTER ?? 'otlp') !== 'none';
  if (exporterWanted && (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) {
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors });
  // Registers the W3C trace-context propagator and the AsyncLocalStorage context manager. A second
  // registration in the same process (several kernels in one test) keeps the first; that is harmless.
  tracerProvider.register();
  const meterProvider = new MeterProvider({ resource, readers: options.metricReaders ?? [] });
  metrics.setGlobalMeterProvider(meterProvider);
  let stopped: Promise<void> | undefined;
  return {
    tracer: (name) => tracerProvider.getTracer(name, options.serviceVersion),
    meter: (name) => meterProvider.getMeter(name, options.serviceVersion),
    shutdown: () => (stopped ??= Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]).then(() => undefined)),
  };
}
