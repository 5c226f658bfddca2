import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Starts telemetry in a fresh process (this one has loaded everything already) with the given environment
 * and options, and returns the OpenTelemetry packages it loaded.
 */
function packagesLoaded(env: Record<string, string>, options: { prometheus?: boolean } = {}): string[] {
  const hook = `import { registerHooks } from 'node:module';
    registerHooks({ resolve(s, c, next) { const r = next(s, c); const m = /node_modules\\/(@opentelemetry\\/[^/]+|@grpc\\/grpc-js|protobufjs)\\//.exec(r.url); if (m) process.stderr.write('loaded ' + m[1] + '\\n'); return r; } });`;
  const script = `const { startTelemetry } = await import('@herald/core-telemetry');
    const t = startTelemetry({ serviceName: 'test', serviceVersion: '0.0.0', prometheus: ${Boolean(options.prometheus)} });
    t.tracer('t').startActiveSpan('work', (span) => span.end());
    await t.shutdown();`;
  const child = spawnSync(process.execPath, ['--conditions=herald-source', '--import', `data:text/javascript,${encodeURIComponent(hook)}`, '--input-type=module', '-e', script], {
    cwd: import.meta.dirname,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  return [...new Set(child.stderr.split('\n').filter((l) => l.startsWith('loaded ')).map((l) => l.slice('loaded '.length)))];
}

const exporterPackages = /exporter-trace-otlp|otlp-exporter-base|otlp-transformer|grpc|protobufjs/;

// Fresh Node processes, each loading the SDK from sources: seconds on a loaded machine.
const childProcessTimeout = 60_000;

describe('what telemetry loads', () => {
  it('loads no trace SDK or exporter, metrics SDK or Prometheus exporter when nothing is exported or served', () => {
    const loaded = packagesLoaded({});
    expect(loaded).toContain('@opentelemetry/api');
    expect(loaded.filter((p) => exporterPackages.test(p) || /sdk-trace|sdk-metrics|exporter-prometheus|sdk-node/.test(p))).toEqual([]);
  }, childProcessTimeout);

  it('loads the metrics SDK and Prometheus exporter when metrics are served, still no trace exporter', () => {
    const loaded = packagesLoaded({}, { prometheus: true });
    expect(loaded).toEqual(expect.arrayContaining(['@opentelemetry/sdk-metrics', '@opentelemetry/exporter-prometheus']));
    expect(loaded.filter((p) => exporterPackages.test(p))).toEqual([]);
  }, childProcessTimeout);

  it('loads the OTLP exporter of the protocol asked for, and only that one', () => {
    const loaded = packagesLoaded({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_BSP_EXPORT_TIMEOUT: '100' });
    expect(loaded).toEqual(expect.arrayContaining(['@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-grpc']));
    expect(loaded).not.toContain('@opentelemetry/exporter-trace-otlp-proto');
    expect(loaded).not.toContain('@opentelemetry/exporter-trace-otlp-http');
  }, childProcessTimeout);
});
