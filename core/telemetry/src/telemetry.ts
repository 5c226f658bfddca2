import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { getHeapSpaceStatistics } from 'node:v8';
import { context, diag, DiagConsoleLogger, metrics, propagation, trace, type Meter, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, diagLogLevelFromString, getBooleanFromEnv, getStringFromEnv, getStringListFromEnv, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { defaultResource, detectResources, envDetector, hostDetector, processDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { IMetricReader, MeterProvider } from '@opentelemetry/sdk-metrics';
import type { BasicTracerProvider, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { containerDetector } from './container-detector.ts';
import { kubernetesDetector } from './kubernetes-detector.ts';
import { checkOtelEnv, type OtlpProtocol } from './otel-env.ts';

/**
 * Parts of the SDK a process may not need are required only when it does: the trace SDK and the OTLP
 * exporters (gRPC and protobuf among them) when traces are exported, the metrics SDK and Prometheus exporter when metrics are
 * served, the B3 and Jaeger propagators when OTEL_PROPAGATORS names them. Synchronously, so startTelemetry
 * stays synchronous. Why: @opentelemetry/sdk-node loads all of them (and the logs SDK, Zipkin, the
 * instrumentation loader) at import, about 35 MiB of RSS measured (docs/benchmarks.md "Memory (third wave)").
 */
const load = createRequire(import.meta.url);
// The CommonJS copy the OpenTelemetry SDK packages require anyway: an ESM import would load the package twice.
const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } = load('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');

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
  type Exporters = { OTLPTraceExporter: new () => SpanExporter };
  if (protocol === 'grpc') return new (load('@opentelemetry/exporter-trace-otlp-grpc') as Exporters).OTLPTraceExporter();
  if (protocol === 'http/json') return new (load('@opentelemetry/exporter-trace-otlp-http') as Exporters).OTLPTraceExporter();
  return new (load('@opentelemetry/exporter-trace-otlp-proto') as Exporters).OTLPTraceExporter();
}

/** OTEL_PROPAGATORS, as the Node SDK reads it: unset means W3C trace context and baggage; `none` means no propagation. */
function propagatorFromEnv(): TextMapPropagator | undefined {
  const names = getStringListFromEnv('OTEL_PROPAGATORS');
  if (names === undefined) return new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
  if (names.includes('none')) return undefined;
  const b3 = () => load('@opentelemetry/propagator-b3') as typeof import('@opentelemetry/propagator-b3');
  const factories: Record<string, () => TextMapPropagator> = {
    tracecontext: () => new W3CTraceContextPropagator(),
    baggage: () => new W3CBaggagePropagator(),
    b3: () => new (b3().B3Propagator)(),
    b3multi: () => new (b3().B3Propagator)({ injectEncoding: b3().B3InjectEncoding.MULTI_HEADER }),
    jaeger: () => new (load('@opentelemetry/propagator-jaeger') as typeof import('@opentelemetry/propagator-jaeger')).JaegerPropagator(),
  };
  const propagators: TextMapPropagator[] = [];
  for (const name of new Set(names)) {
    const make = factories[name];
    if (make) propagators.push(make());
    else diag.warn(`Propagator "${name}" requested through environment variable is unavailable.`);
  }
  return propagators.length > 0 ? new CompositePropagator({ propagators }) : undefined;
}

/**
 * Starts OpenTelemetry the way its Node SDK would, configured by the standard OTEL_* variables: the sampler
 * and span limits, the propagators, the resource (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, host, process,
 * container and the pod from the downward API) and OTLP export of traces. Spans are recorded only when
 * something takes them (an OTLP endpoint is set, or `spanProcessors` are given): otherwise the API's no-op
 * tracer stands in, whose span under an incoming trace context carries that context on unchanged, so a
 * `traceparent` still travels through the process (and a process downstream that exports sees its parent)
 * at the cost of nothing recorded; a change observed with no trace context starts none. Unusable OTEL_*
 * values give one warning and no export: Herald runs on. OTEL_SDK_DISABLED=true turns all of it off (no
 * spans, no context on the bus, no metrics).
 *
 * It registers the process-wide OpenTelemetry API; the last call wins (several kernels in one test).
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
  const logLevel = getStringFromEnv('OTEL_LOG_LEVEL');
  if (logLevel) diag.setLogger(new DiagConsoleLogger(), { logLevel: diagLogLevelFromString(logLevel) });

  const contextManager = new AsyncLocalStorageContextManager();
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
  const propagator = propagatorFromEnv();
  if (propagator) propagation.setGlobalPropagator(propagator);

  const nameFromEnv = env.OTEL_SERVICE_NAME !== undefined || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  // Detected only when a provider needs it (spans recorded or metrics read).
  let detected: Resource | undefined;
  const resource = () =>
    (detected ??= defaultResource()
      .merge(resourceFromAttributes({
        [ATTR_SERVICE_VERSION]: options.serviceVersion,
        ...(options.roles ? { 'herald.roles': options.roles.join(',') } : {}),
      }))
      .merge(detectResources({ detectors: [envDetector, hostDetector, processDetector, containerDetector, kubernetesDetector(env)] }))
      // Herald's service name wins over the detected one only when the operator named none.
      .merge(nameFromEnv ? null : resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName })));

  const readers: IMetricReader[] = [...(options.metricReaders ?? [])];
  let prometheus: PrometheusExporter | undefined;
  if (options.prometheus) {
    // Served by Herald's own telemetry server, beside /healthz and /readyz.
    const { PrometheusExporter } = load('@opentelemetry/exporter-prometheus') as typeof import('@opentelemetry/exporter-prometheus');
    prometheus = new PrometheusExporter({ preventServerStart: true });
    readers.push(prometheus);
  }
  let meterProvider: MeterProvider | undefined;
  // No reader, no meter provider: the API's no-op meters cost nothing (and nothing is pushed anywhere).
  if (readers.length > 0) {
    const { MeterProvider } = load('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
    meterProvider = new MeterProvider({ resource: resource(), readers, sdkMetricsEnabled: getBooleanFromEnv('OTEL_NODE_EXPERIMENTAL_SDK_METRICS') });
    metrics.setGlobalMeterProvider(meterProvider);
  }

  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  let tracerProvider: BasicTracerProvider | undefined;
  if (check.exportTraces || spanProcessors.length > 0) {
    const sdk = load('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
    if (check.exportTraces) spanProcessors.push(new sdk.BatchSpanProcessor(otlpExporter(check.protocol)));
    // The sampler (OTEL_TRACES_SAMPLER, _ARG) and span limits (OTEL_SPAN_*) come from the environment.
    tracerProvider = new sdk.BasicTracerProvider({ resource: resource(), spanProcessors });
    trace.setGlobalTracerProvider(tracerProvider);
  }
  // Otherwise no provider: recording spans nobody takes cost 4–6 % of the CPU of a busy process
  // (docs/benchmarks.md "Fourth wave"), and the no-op tracer carries an incoming context on just the same.

  if (prometheus) {
    // Prometheus' convention, and never an empty scrape (the exporter ends one without its last newline).
    metrics
      .getMeter('herald')
      .createObservableGauge('herald_build_info', { description: 'Always 1; the version of Herald running' })
      .addCallback((result) => result.observe(1, { version: options.serviceVersion }));
  }
  if (meterProvider) processMetrics(metrics.getMeter('herald.process', options.serviceVersion));
  let stopped: Promise<void> | undefined;
  return {
    tracer: (name) => trace.getTracer(name, options.serviceVersion),
    meter: (name) => metrics.getMeter(name, options.serviceVersion),
    metricsHandler: prometheus ? (request, response) => prometheus.getMetricsRequestHandler(request, response) : undefined,
    exporting: check.exportTraces,
    shutdown: () => (stopped ??= Promise.all([tracerProvider?.shutdown(), meterProvider?.shutdown()]).then(() => undefined, () => undefined)),
  };
}

/**
 * What the process itself uses, read at each collection: its resident memory, its CPU time and V8's heap in use,
 * what a memory limit or a CPU request is sized from (docs/guides/scaling.md) and what the idle release acts on.
 * Names, units and attributes are OpenTelemetry's semantic conventions for process and V8 metrics, written out:
 * their constants are in the conventions' incubating entry point, which libraries are asked not to import.
 */
function processMetrics(meter: Meter): void {
  meter
    .createObservableUpDownCounter('process.memory.usage', { unit: 'By', description: 'The amount of physical memory in use (RSS)' })
    .addCallback((result) => result.observe(process.memoryUsage.rss()));
  meter.createObservableCounter('process.cpu.time', { unit: 's', description: 'Total CPU seconds, by mode' }).addCallback((result) => {
    const { user, system } = process.cpuUsage();
    result.observe(user / 1e6, { 'cpu.mode': 'user' });
    result.observe(system / 1e6, { 'cpu.mode': 'system' });
  });
  meter.createObservableUpDownCounter('v8js.memory.heap.used', { unit: 'By', description: 'Heap memory V8 has in use, by heap space' }).addCallback((result) => {
    for (const space of getHeapSpaceStatistics()) result.observe(space.space_used_size, { 'v8js.heap.space.name': space.space_name });
  });
}
