/**
 * The standard OTEL_* variables Herald reads through the OpenTelemetry SDK, checked before the SDK sees
 * them: the SDK falls back silently (or per signal, in several diag lines) on values it does not know,
 * and an operator should learn from one line that the export they asked for is off.
 */

const protocols = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof protocols)[number];

const samplers = new Set(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']);
const propagators = new Set(['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none']);
const traceExporters = new Set(['otlp', 'console', 'zipkin', 'none']);

export interface OtelEnvCheck {
  /** One sentence per bad value, naming the variable and what it accepts. Empty when all are usable. */
  problems: string[];
  /** OTLP trace export is asked for (an endpoint is set, or OTEL_TRACES_EXPORTER names otlp). */
  exportTraces: boolean;
  protocol: OtlpProtocol;
  disabled: boolean;
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === '' ? undefined : v;
}

function checkEndpoint(env: NodeJS.ProcessEnv, name: string, problems: string[]): void {
  const v = value(env, name);
  if (v === undefined) return;
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    problems.push(`${name}="${v}" is not an http(s) URL`);
  }
}

function list(env: NodeJS.ProcessEnv, name: string): string[] {
  return (value(env, name) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function checkOtelEnv(env: NodeJS.ProcessEnv): OtelEnvCheck {
  const problems: string[] = [];
  const disabledValue = value(env, 'OTEL_SDK_DISABLED')?.toLowerCase();
  if (disabledValue !== undefined && disabledValue !== 'true' && disabledValue !== 'false') {
    problems.push(`OTEL_SDK_DISABLED="${env.OTEL_SDK_DISABLED}" is neither true nor false`);
  }
  let protocol: OtlpProtocol = 'http/protobuf';
  for (const name of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) {
    const v = value(env, name);
    if (v === undefined) continue;
    if ((protocols as readonly string[]).includes(v)) protocol = v as OtlpProtocol;
    else problems.push(`${name}="${v}" is not one of ${protocols.join(', ')}`);
  }
  checkEndpoint(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', problems);
  checkEndpoint(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', problems);
  const sampler = value(env, 'OTEL_TRACES_SAMPLER');
  if (sampler !== undefined && !samplers.has(sampler)) problems.push(`OTEL_TRACES_SAMPLER="${sampler}" is not one of ${[...samplers].join(', ')}`);
  const ratio = value(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (ratio !== undefined && sampler?.endsWith('traceidratio') && !(Number(ratio) >= 0 && Number(ratio) <= 1)) {
    problems.push(`OTEL_TRACES_SAMPLER_ARG="${ratio}" is not a ratio between 0 and 1`);
  }
  for (const p of list(env, 'OTEL_PROPAGATORS')) {
    if (!propagators.has(p)) problems.push(`OTEL_PROPAGATORS names "${p}", not one of ${[...propagators].join(', ')}`);
  }
  const exporters = list(env, 'OTEL_TRACES_EXPORTER');
  for (const e of exporters) {
    if (!traceExporters.has(e)) problems.push(`OTEL_TRACES_EXPORTER names "${e}"; Herald exports traces over otlp or not at all (none)`);
  }
  const endpointSet = value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined || value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined;
  // No endpoint and no exporter named: nothing is exported (the SDK would otherwise try localhost:4318 forever).
  const exportTraces = exporters.includes('otlp') || (exporters.length === 0 && endpointSet);
  return { problems, exportTraces: exportTraces && problems.length === 0, protocol, disabled: disabledValue === 'true' };
}
