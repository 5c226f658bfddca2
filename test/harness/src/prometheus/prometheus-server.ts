import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../free-port.ts';
import { toolPath } from '../tools.ts';
import { killedOnExit } from '../exit-hook.ts';

/** One sample of an instant vector, as `/api/v1/query` returns it. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

/** One rule as `/api/v1/rules` reports it after its evaluations. */
export interface PromRule {
  name: string;
  type: 'alerting' | 'recording';
  /** `ok` once evaluated without an error, `err` (with `lastError`) when not, `unknown` before. */
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
  /** Alerting rules: `inactive`, `pending` or `firing`. */
  state?: string;
  /** Alerting rules: the alerts pending or firing, with their labels (`alertname` among them) and annotations. */
  alerts?: { labels: Record<string, string>; annotations: Record<string, string>; state: string }[];
  lastEvaluation: string;
}

export interface PrometheusServer {
  readonly url: string;
  readonly logPath: string;
  /** An instant PromQL query: the samples of its vector (none while nothing matches yet). */
  query(promql: string): Promise<PromSample[]>;
  /** Every rule of the rule files, with its health and state. */
  rules(): Promise<PromRule[]>;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** `host:port` of each endpoint serving `/metrics`, scraped as job `herald`. */
  targets: readonly string[];
  /** Default 1 s, so a test sees a new value within a second or two. */
  scrapeIntervalSeconds?: number;
  /** Rule files (`rule_files`), evaluated at the scrape interval. */
  ruleFiles?: readonly string[];
}

const live = killedOnExit();

/**
 * Starts a real Prometheus server, built from its Go module by scripts/dev, on a loopback port of its own,
 * with its data in a temporary directory and one scrape job (`herald`) for the given targets.
 */
export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusServer> {
  const binary = toolPath('HERALD_PROMETHEUS', 'prometheus', 'prometheus');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'herald-prometheus-'));
  const configPath = join(dir, 'prometheus.yml');
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  // JSON is YAML.
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [{ job_name: 'herald', static_configs: [{ targets: options.targets }] }],
    ...(options.ruleFiles ? { rule_files: options.ruleFiles } : {}),
  };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const logPath = join(dir, 'prometheus.log');
  const log = createWriteStream(logPath);
  const child = spawn(
    binary,
    [`--config.file=${configPath}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  live.add(child);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    await Promise.race([
      waitForPort(port, 60_000),
      exited.then(() => {
        throw new Error(`prometheus exited at start; see ${logPath}`);
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    logPath,
    query: async (promql) => {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      if (response.status === 503) return []; // still starting (the TSDB not open yet)
      const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`prometheus query ${promql}: ${body.error ?? response.status}`);
      if (body.data!.resultType !== 'vector') throw new Error(`prometheus query ${promql}: a ${body.data!.resultType}, not an instant vector`);
      return body.data!.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    rules: async () => {
      const response = await fetch(`${url}/api/v1/rules`);
      if (response.status === 503) return [];
      const body = (await response.json()) as { status: string; error?: string; data?: { groups: { rules: PromRule[] }[] } };
      if (body.status !== 'success') throw new Error(`prometheus rules: ${body.error ?? response.status}`);
      return body.data!.groups.flatMap((g) => g.rules);
    },
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null) child.kill('SIGTERM');
        await exited;
        live.delete(child);
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}
