import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../free-port.ts';
import { toolPath } from '../tools.ts';
import { killedOnExit } from '../exit-hook.ts';

/** One request an SQS client made, as it reached the server (AWS JSON 1.0 protocol). */
export interface SqsRequest {
  /** The operation, from X-Amz-Target (`AmazonSQS.SendMessage` → `SendMessage`). */
  operation: string;
  headers: IncomingHttpHeaders;
  /** The JSON body. */
  body: Record<string, unknown>;
}

/**
 * How the next requests fail until `reset()`: an SQS error answer (status, `__type`, and the
 * `x-amzn-query-error` code SQS adds for query-compatible clients), HTTP 500, or no answer at all.
 */
export type SqsBehaviour = { status: number; type: string; queryError: string; message: string } | 'http-500' | 'hang';

export interface MotoSqs {
  /** The endpoint the code under test uses: moto behind a recording proxy that can fail requests. */
  readonly endpoint: string;
  /** moto itself, for the tests to set up queues and read messages back. */
  readonly directEndpoint: string;
  readonly logPath: string;
  /** Every request that reached the proxy, in order. */
  readonly requests: SqsRequest[];
  /** From now until `reset()`, every request fails this way (not forwarded to moto). */
  behave(behaviour: SqsBehaviour): void;
  /** Forward every request again; hung requests are cut. Clears `requests`. */
  reset(): void;
  stop(): Promise<void>;
}

const live = killedOnExit();

// Headers a proxy must not copy from one hop to the next.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

/**
 * Starts moto's server (the AWS mock, https://github.com/getmoto/moto; `scripts/dev` installs it) on a free
 * loopback port, with a recording proxy in front. moto speaks SQS's AWS JSON 1.0 protocol, the only one
 * the current @aws-sdk/client-sqs speaks; it keeps queues in memory and accepts any credentials.
 */
export async function startMotoSqs(options: { readyTimeoutMs?: number } = {}): Promise<MotoSqs> {
  const binary = toolPath('HERALD_MOTO_SERVER', 'moto', 'bin/moto_server');
  const [motoPort, proxyPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'herald-moto-'));
  const logPath = join(dir, 'moto.log');
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(binary, ['-H', '127.0.0.1', '-p', String(motoPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  const directEndpoint = `http://127.0.0.1:${motoPort}`;

  const requests: SqsRequest[] = [];
  const hung = new Set<ServerResponse>();
  let behaviour: SqsBehaviour | undefined;

  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      let body: Record<string, unknown> = {};
      try {
        body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        body = { raw: raw.toString('utf8') };
      }
      requests.push({ operation: target.replace(/^AmazonSQS\./, ''), headers: req.headers, body });
      const now = behaviour;
      if (now === 'hang') {
        hung.add(res);
        res.once('close', () => hung.delete(res));
        return;
      }
      if (now === 'http-500') {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'com.amazonaws.sqs#InternalError', message: 'We encountered an internal error. Please try again.' }));
        return;
      }
      if (now) {
        res
          .writeHead(now.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': now.queryError, 'x-amzn-requestid': 'moto-proxy' })
          .end(JSON.stringify({ __type: now.type, message: now.message }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && typeof v === 'string') headers[k] = v;
      fetch(`${directEndpoint}${req.url ?? '/'}`, { method: req.method, headers, body: raw.length ? raw : undefined }).then(
        async (answer) => {
          const out: Record<string, string> = {};
          answer.headers.forEach((v, k) => {
            if (!HOP.has(k)) out[k] = v;
          });
          res.writeHead(answer.status, out).end(Buffer.from(await answer.arrayBuffer()));
        },
        (err: unknown) => res.writeHead(502).end(String(err)),
      );
    });
  });
  await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      for (const res of hung) res.destroy();
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      if (!process.env.HERALD_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
    })());

  try {
    await waitForPort(motoPort, options.readyTimeoutMs ?? 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint: `http://127.0.0.1:${proxyPort}`,
    directEndpoint,
    logPath,
    requests,
    behave: (b) => {
      behaviour = b;
    },
    reset: () => {
      behaviour = undefined;
      for (const res of hung) res.destroy();
      hung.clear();
      requests.length = 0;
    },
    stop,
  };
}
