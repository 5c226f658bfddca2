import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** One condition of readiness: true when met, or a sentence saying what is missing. */
export interface ReadinessCheck {
  name: string;
  check: () => true | string | Promise<true | string>;
}

export interface TelemetryServerOptions {
  port: number;
  host?: string;
  /** Serves /metrics when given (Telemetry.metricsHandler). */
  metricsHandler?: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  /** What /readyz checks; filled in as roles start (an empty list is not ready: nothing started yet). */
  readiness: () => readonly ReadinessCheck[];
  /** The event loop is reported stuck by /healthz when a delay this long was seen in the last minute. */
  stuckAfterMs?: number;
}

export interface TelemetryServer {
  readonly port: number;
  close(): Promise<void>;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify(body)}\n`);
}

/**
 * `/metrics` (Prometheus text format), `/healthz` (the process answers and its event loop is not stuck)
 * and `/readyz` (every check of the roles this process runs passes) on one port, for Prometheus and
 * Kubernetes probes.
 */
export async function startTelemetryServer(options: TelemetryServerOptions): Promise<TelemetryServer> {
  const stuckAfterMs = options.stuckAfterMs ?? 5_000;
  const delay = monitorEventLoopDelay({ resolution: 50 });
  delay.enable();
  // The histogram covers about the last minute: a stall long ago does not fail the probe forever.
  const reset = setInterval(() => delay.reset(), 60_000);
  reset.unref();

  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return json(response, 405, { error: 'GET only' });
    if (path === '/metrics' && options.metricsHandler) return options.metricsHandler(request, response);
    if (path === '/healthz') {
      const maxMs = delay.max / 1e6;
      const stuck = maxMs >= stuckAfterMs;
      return json(response, stuck ? 503 : 200, { status: stuck ? 'stuck' : 'ok', eventLoopMaxDelayMs: Math.round(maxMs) });
    }
    if (path === '/readyz') {
      void readiness(options.readiness()).then(({ ready, checks }) => json(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks }));
      return;
    }
    json(response, 404, { error: `no ${path} here; try /metrics, /healthz or /readyz` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        clearInterval(reset);
        delay.disable();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

async function readiness(checks: readonly ReadinessCheck[]): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const results: Record<string, string> = {};
  let ready = checks.length > 0;
  for (const c of checks) {
    let outcome: true | string;
    try {
      outcome = await c.check();
    } catch (err) {
      outcome = `check failed: ${(err as Error).message}`;
    }
    results[c.name] = outcome === true ? 'ok' : outcome;
    if (outcome !== true) ready = false;
  }
  return { ready, checks: results };
}
