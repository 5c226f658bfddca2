import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../free-port.ts';
import { toolPath } from '../tools.ts';
import { killedOnExit } from '../exit-hook.ts';

export interface StartMailpitOptions {
  /** Offer STARTTLS, with a self-signed certificate Mailpit makes for localhost and 127.0.0.1. */
  starttls?: boolean;
  /** Refuse mail from clients that did not upgrade with STARTTLS (implies `starttls`). */
  requireStarttls?: boolean;
  /**
   * SMTP over TLS from the first byte ("SMTPS") on port 465, as providers serve it: the port the email sink
   * (like Argo's) takes to mean implicit TLS. Bound on a loopback address of its own (127.0.0.46) so that it
   * cannot collide with anything on 127.0.0.1; binding 465 needs root or CAP_NET_BIND_SERVICE.
   */
  implicitTls?: boolean;
  /** Require AUTH (PLAIN or LOGIN) with this user and password; without it, no AUTH is offered. */
  auth?: { username: string; password: string };
  readyTimeoutMs?: number;
}

/** A message as Mailpit's API lists it (`GET /api/v1/messages`). */
export interface MailpitSummary {
  ID: string;
  MessageID: string;
  From: { Name: string; Address: string };
  To: { Name: string; Address: string }[];
  Subject: string;
  Snippet: string;
}

/** One message in full (`GET /api/v1/message/{ID}`). */
export interface MailpitMessage extends MailpitSummary {
  Text: string;
  HTML: string;
}

/** One of Mailpit's chaos triggers: answer that SMTP stage with `errorCode` in `probability` percent of sessions. */
export interface ChaosTrigger {
  errorCode: number;
  probability: number;
}

export interface Mailpit {
  /** Where SMTP listens: 127.0.0.1, or 127.0.0.46 with `implicitTls`. */
  readonly smtpHost: string;
  readonly smtpPort: number;
  /** `http://127.0.0.1:<port>` of the web UI and API. */
  readonly apiUrl: string;
  readonly logPath: string;
  /** The newest 1000 messages, newest first. */
  messages(): Promise<MailpitSummary[]>;
  /** How many messages Mailpit holds. */
  count(): Promise<number>;
  message(id: string): Promise<MailpitMessage>;
  /** The headers of one message as Mailpit parsed them, each with all its values. */
  headers(id: string): Promise<Record<string, string[]>>;
  deleteAll(): Promise<void>;
  /** Sets Mailpit's SMTP chaos triggers; an absent one is switched off. */
  chaos(triggers: { sender?: ChaosTrigger; recipient?: ChaosTrigger; authentication?: ChaosTrigger }): Promise<void>;
  /** Graceful stop, waiting for the process to exit. Idempotent. */
  stop(): Promise<void>;
}

const live = killedOnExit();

/** Starts a real Mailpit (SMTP server and HTTP API) on free loopback ports, with chaos enabled and a temp database. */
export async function startMailpit(options: StartMailpitOptions = {}): Promise<Mailpit> {
  const binary = toolPath('HERALD_MAILPIT', 'mailpit', 'mailpit');
  const smtpHost = options.implicitTls ? '127.0.0.46' : '127.0.0.1';
  const [smtpPort, httpPort] = [options.implicitTls ? 465 : await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'herald-mailpit-'));
  const logPath = join(dir, 'mailpit.log');
  const args = ['--database', join(dir, 'mailpit.db'), '--smtp', `${smtpHost}:${smtpPort}`, '--listen', `127.0.0.1:${httpPort}`];
  args.push('--enable-chaos', '--smtp-disable-rdns', '--disable-version-check');
  if (options.starttls || options.requireStarttls || options.implicitTls) args.push('--smtp-tls-cert', 'sans:localhost,127.0.0.1', '--smtp-tls-key', 'sans:localhost,127.0.0.1');
  if (options.requireStarttls) args.push('--smtp-require-starttls');
  if (options.implicitTls) args.push('--smtp-require-tls');
  if (options.auth) {
    const file = join(dir, 'smtp-auth');
    writeFileSync(file, `${options.auth.username}:${options.auth.password}\n`, { mode: 0o600 });
    args.push('--smtp-auth-file', file);
    if (!options.requireStarttls && !options.implicitTls) args.push('--smtp-auth-allow-insecure');
  }

  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));

  const apiUrl = `http://127.0.0.1:${httpPort}`;
  const api = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${apiUrl}/api/v1/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`mailpit ${method} ${path}: ${res.status} ${text}`);
    // Mailpit answers a change with plain `ok`, a read with JSON.
    return res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text;
  };
  const trigger = (t: ChaosTrigger | undefined, errorCode: number) => (t ? { ErrorCode: t.errorCode, Probability: t.probability } : { ErrorCode: errorCode, Probability: 0 });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      if (!process.env.HERALD_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
    })());

  try {
    const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
    await Promise.all([waitForPort(smtpPort, readyTimeoutMs, smtpHost), waitForPort(httpPort, readyTimeoutMs)]);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    smtpHost,
    smtpPort,
    apiUrl,
    logPath,
    messages: async () => ((await api('GET', 'messages?limit=1000')) as { messages: MailpitSummary[] }).messages,
    count: async () => ((await api('GET', 'messages?limit=1')) as { total: number }).total,
    message: async (id) => (await api('GET', `message/${encodeURIComponent(id)}`)) as MailpitMessage,
    headers: async (id) => (await api('GET', `message/${encodeURIComponent(id)}/headers`)) as Record<string, string[]>,
    deleteAll: async () => void (await api('DELETE', 'messages')),
    chaos: async ({ sender, recipient, authentication }) =>
      void (await api('PUT', 'chaos', { Sender: trigger(sender, 451), Recipient: trigger(recipient, 451), Authentication: trigger(authentication, 535) })),
    stop,
  };
}
