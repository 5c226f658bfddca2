import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../free-port.ts';
import { toolPath } from '../tools.ts';
import { killedOnExit } from '../exit-hook.ts';

/** A span as Jaeger's query API returns it (`/api/traces/<id>`), with its process resolved. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[];
  tags: { key: string; type: string; value: unknown }[];
  startTime: number;
  duration: number;
  process: { serviceName: string; tags: { key: string; value: unknown }[] };
}

export interface JaegerServer {
  /** OTLP over HTTP: what OTEL_EXPORTER_OTLP_ENDPOINT names. */
  readonly otlpHttpUrl: string;
  /** The query service (UI and API). */
  readonly queryUrl: string;
  readonly logPath: string;
  /** The spans of one trace; none while Jaeger has not seen it. */
  trace(traceId: string): Promise<JaegerSpan[]>;
  /** Every span Jaeger holds for a service (the last `limit` traces). */
  spansOf(service: string, limit?: number): Promise<JaegerSpan[]>;
  stop(): Promise<void>;
}

const live = killedOnExit();

interface RawTrace {
  spans: Omit<JaegerSpan, 'process'>[] & { processID: string }[];
  processes: Record<string, JaegerSpan['process']>;
}

function resolve(traces: RawTrace[]): JaegerSpan[] {
  return traces.flatMap((t) => t.spans.map((s) => ({ ...(s as unknown as JaegerSpan), process: t.processes[(s as unknown as { processID: string }).processID]! })));
}

/**
 * Starts Jaeger v2 (all-in-one, memory storage), built from its Go module by scripts/dev, on loopback
 * ports of its own: OTLP/HTTP in, the query API out.
 */
export async function startJaeger(): Promise<JaegerServer> {
  const binary = toolPath('HERALD_JAEGER', 'jaeger', 'jaeger');
  const [otlp, query, queryGrpc, health] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const dir = mkdtempSync(join(tmpdir(), 'herald-jaeger-'));
  const configPath = join(dir, 'jaeger.yaml');
  // JSON is YAML. Only what the tests use: OTLP/HTTP in, memory storage, the query API; no telemetry of its own.
  const config = {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query', 'healthcheckv2'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      telemetry: { metrics: { level: 'none' }, logs: { level: 'warn' } },
    },
    extensions: {
      jaeger_query: { storage: { traces: 'memstore' }, http: { endpoint: `127.0.0.1:${query}` }, grpc: { endpoint: `127.0.0.1:${queryGrpc}` } },
      jaeger_storage: { backends: { memstore: { memory: { max_traces: 10_000 } } } },
      healthcheckv2: { use_v2: true, http: { endpoint: `127.0.0.1:${health}` } },
    },
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlp}` } } } },
    processors: { batch: { timeout: '100ms' } },
    exporters: { jaeger_storage_exporter: { trace_storage: 'memstore' } },
  };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const logPath = join(dir, 'jaeger.log');
  const log = createWriteStream(logPath);
  const child = spawn(binary, ['--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    await Promise.race([
      Promise.all([waitForPort(otlp, 60_000), waitForPort(query, 60_000)]),
      exited.then(() => {
        throw new Error(`jaeger exited at start; see ${logPath}`);
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const queryUrl = `http://127.0.0.1:${query}`;
  const api = async (path: string): Promise<RawTrace[]> => {
    const response = await fetch(`${queryUrl}${path}`);
    if (response.status === 404) return [];
    if (!response.ok) throw new Error(`jaeger ${path}: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { data: RawTrace[] | null }).data ?? [];
  };
  let stopping: Promise<void> | undefined;
  return {
    otlpHttpUrl: `http://127.0.0.1:${otlp}`,
    queryUrl,
    logPath,
    trace: async (traceId) => resolve(await api(`/api/traces/${traceId}`)),
    spansOf: async (service, limit = 1000) => resolve(await api(`/api/traces?service=${encodeURIComponent(service)}&limit=${limit}&lookback=1h`)),
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null) child.kill('SIGTERM');
        await exited;
        live.delete(child);
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}
