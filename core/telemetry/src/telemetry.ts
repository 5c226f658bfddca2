import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, metrics, propagation, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, envDetector, hostDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { containerDetector } from './container-detector.ts';
import { kubernetesDetector } from './kubernetes-detector.ts';
import { checkOtelEnv, type OtlpProtocol } from './otel-env.ts';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  /** The roles this process runs: a resource attribute, so a trace shows which process did what. */
  roles?: readonly string[];
  /** Extra span processors (tests use an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
  metricReaders?: IMetricReader[];
  /** Serve Prometheus' text format through `metricsHandler` (herald.yaml `telemetry.metrics`). */
  prometheus?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Where the one warning about unusable OTEL_* values goes. */
  warn?: (fields: Record<string, unknown>, message: string) => void;
}

export interface Telemetry {
  tracer(name: string): Tracer;
  meter(name: string): Meter;
  /** Answers a Prometheus scrape; undefined when metrics are not served (not configured, or the SDK is disabled). */
  readonly metricsHandler?: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  /** Whether spans leave the process (OTLP export configured and usable). */
  readonly exporting: boolean;
  /** Flushes and stops exporters. Idempotent. */
  shutdown(): Promise<void>;
}

function otlpExporter(protocol: OtlpProtocol): SpanExporter {
  // Each exporter reads its endpoint, headers, timeout and compression from the standard variables.
  if (protocol === 'grpc') return new OtlpGrpcExporter();
  if (protocol === 'http/json') return new OtlpJsonExporter();
  return new OtlpProtoExporter();
}

/**
 * Starts the OpenTelemetry Node SDK, configured by the standard OTEL_* variables: the sampler, the
 * propagators, the resource (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, host, process, container and
 * the pod from the downward API) and OTLP export of traces. Spans are always recorded, so trace context
 * travels across the bus even with no exporter; they leave the process only when an endpoint is set.
 * Unusable OTEL_* values give one warning and no export: Herald runs on. OTEL_SDK_DISABLED=true turns
 * all of it off (no spans, no context on the bus, no metrics).
 *
 * The SDK registers the process-wide OpenTelemetry API; the last call wins (several kernels in one test).
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  const check = checkOtelEnv(env);
  if (check.problems.length > 0) {
    options.warn?.(
      { problems: check.problems },
      `OpenTelemetry settings not usable, Herald runs without exporting traces: ${check.problems.join('; ')}`,
    );
  }
  trace.disable();
  context.disable();
  propagation.disable();
  metrics.disable();
  if (check.disabled) {
    return { tracer: (name) => trace.getTracer(name), meter: (name) => metrics.getMeter(name), exporting: false, shutdown: () => Promise.resolve() };
  }

  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (check.exportTraces) spanProcessors.push(new BatchSpanProcessor(otlpExporter(check.protocol)));
  // The SDK registers a tracer provider only when it has a processor; one that drops spans keeps them recorded.
  if (spanProcessors.length === 0) spanProcessors.push(new NoopSpanProcessor());

  const readers: IMetricReader[] = [...(options.metricReaders ?? [])];
  let prometheus: PrometheusExporter | undefined;
  if (options.prometheus) {
    // Served by Herald's own telemetry server, beside /healthz and /readyz.
    prometheus = new PrometheusExporter({ preventServerStart: true });
    readers.push(prometheus);
  }

  const nameFromEnv = env.OTEL_SERVICE_NAME !== undefined || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  const sdk = new NodeSDK({
    resource: defaultResource().merge(resourceFromAttributes({
      [ATTR_SERVICE_VERSION]: options.serviceVersion,
      ...(options.roles ? { 'herald.roles': options.roles.join(',') } : {}),
    })),
    resourceDetectors: [envDetector, hostDetector, processDetector, containerDetector, kubernetesDetector(env)],
    // The SDK's serviceName wins over OTEL_SERVICE_NAME: give Herald's only when the operator named none.
    ...(nameFromEnv ? {} : { serviceName: options.serviceName }),
    spanProcessors,
    // Always a list, maybe empty: with none the SDK would push metrics over OTLP to localhost by default.
    metricReaders: readers,
    // Herald logs through pino; the SDK must not start its own log export.
    logRecordProcessors: [],
  });
  sdk.start();
  if (prometheus) {
    // Prometheus' convention, and never an empty scrape (the exporter ends one without its last newline).
    metrics
      .getMeter('herald')
      .createObservableGauge('herald_build_info', { description: 'Always 1; the version of Herald running' })
      .addCallback((result) => result.observe(1, { version: options.serviceVersion }));
  }
  let stopped: Promise<void> | undefined;
  return {
    tracer: (name) => trace.getTracer(name, options.serviceVersion),
    meter: (name) => metrics.getMeter(name, options.serviceVersion),
    metricsHandler: prometheus ? (request, response) => prometheus.getMetricsRequestHandler(request, response) : undefined,
    exporting: check.exportTraces,
    shutdown: () => (stopped ??= sdk.shutdown().catch(() => undefined)),
  };
}
