import { isDeliveryError, type NotificationData, type SinkHandle, type SinkPlugin } from '@herald/plugin-sdk';
import { recordingLogger } from '../fakes/recording-logger.ts';
import { sampleNotification } from '../fakes/sample-notification.ts';
import { SinkConformanceError } from '../errors.ts';
import { fakeDeps } from './core-services.ts';

/** A way the remote side can fail the next send(s), until `reset()`. */
export type RemoteFailure = 'retryable' | 'permanent' | 'throttle' | 'hang';

/** The sink's remote side, as the test controls it: a local server speaking the API, or the real thing. */
export interface ConformanceRemote {
  /** Back to normal: every failure off, hanging requests released. Called before each check. */
  reset(): Promise<void> | void;
  /**
   * From now until `reset()`, sends fail this way: `retryable` (a 5xx, a 4xx SMTP reply), `permanent` (a
   * refused request), `throttle` (a rate-limit answer with Retry-After of `retryAfterMs`), `hang` (accept the
   * connection or request and never answer).
   */
  failNext(kind: RemoteFailure, options?: { retryAfterMs?: number }): Promise<void> | void;
  /** How many notifications the remote side accepted since the start. */
  accepted(): Promise<number> | number;
  /** The failures this remote can make; default all four. A protocol without Retry-After (SMTP) leaves out `throttle`. */
  failures?: readonly RemoteFailure[];
}

export interface SinkConformanceOptions {
  /** The sink under test: what `defineSink()` returned. */
  plugin: SinkPlugin;
  /** Its `plugins[i].options` from herald.yaml, before its configSchema (default `{}`). */
  pluginConfig?: unknown;
  /** One configured service pointing at the remote; `config` is raw, as in the ConfigMap (secrets substituted). */
  service: { type: string; name: string; config: unknown };
  /** Values from the service config that must never appear in an error or a log line (tokens, passwords). */
  secrets: readonly string[];
  /** Fields of the notification sent in every check (recipient, rendered template...). */
  notification?: Partial<NotificationData>;
  remote: ConformanceRemote;
  /** Required when the sink declares a templateSchema: a valid block, and one with an unknown field. */
  templateBlock?: { valid: unknown; invalid: unknown };
  /** The deadline the hang check aborts the send at (default 300 ms). */
  hangDeadlineMs?: number;
  /** How long after that deadline the aborted send must have settled (default 2000 ms). */
  abortGraceMs?: number;
}

/** Every check of the kit, in the order it runs them: what `report.passed` is when the remote can fail every way. */
export const SINK_CONFORMANCE_CHECKS = [
  'template-schema',
  'first-send-delivers',
  'retryable-failure',
  'permanent-failure',
  'retry-after',
  'abort-on-hang',
  'delivers-after-failures',
  'stop-idempotent',
  'no-secret-leak',
] as const;

export type SinkConformanceCheck = (typeof SINK_CONFORMANCE_CHECKS)[number];

export interface SinkConformanceReport {
  /** The checks that passed, in order. */
  passed: string[];
  /** The checks not run, with why (a failure the remote cannot make). */
  skipped: string[];
}

const SEND_BOUND_MS = 15_000;

/** Settles with the promise's outcome, or fails the check once `ms` passed. */
async function within<T>(check: string, ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SinkConformanceError(check, `${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the contract every Herald sink keeps against a sink and its remote side, and resolves with the
 * checks passed; the first check that fails throws a SinkConformanceError naming it. One call per
 * sink, inside one test of any runner.
 */
export async function runSinkConformance(options: SinkConformanceOptions): Promise<SinkConformanceReport> {
  const { plugin, remote } = options;
  const report: SinkConformanceReport = { passed: [], skipped: [] };
  const failures = new Set(remote.failures ?? ['retryable', 'permanent', 'throttle', 'hang']);
  const errors: unknown[] = [];
  const logger = recordingLogger();
  let sends = 0;

  const fail = (check: string, message: string, cause?: unknown): never => {
    throw new SinkConformanceError(check, message, { cause });
  };
  const pass = (check: SinkConformanceCheck) => report.passed.push(check);

  if (plugin.kind !== 'sink') fail('plugin', `expected a sink made by defineSink(), got kind ${String(plugin.kind)}`);
  if (options.secrets.some((s) => typeof s !== 'string' || s.length < 4)) fail('options', 'every secret must be a string of 4 characters or more (shorter ones match by chance)');

  // The template block, as Herald checks it when the config loads.
  if (plugin.templateSchema) {
    if (!options.templateBlock) fail('template-schema', 'the sink declares a templateSchema: pass templateBlock { valid, invalid }');
    const valid = plugin.templateSchema.safeParse(options.templateBlock!.valid);
    if (!valid.success) fail('template-schema', `rejects the valid block: ${valid.error.message}`);
    const invalid = plugin.templateSchema.safeParse(options.templateBlock!.invalid);
    if (invalid.success) fail('template-schema', 'accepts a block with an unknown field (make the schema strict)');
    if (!invalid.error!.issues.some((i) => i.code === 'unrecognized_keys')) fail('template-schema', `rejects the invalid block, but not for an unknown field: ${invalid.error!.message}`);
    pass('template-schema');
  } else report.skipped.push('template-schema: the sink declares no templateSchema');

  // The service's options, as Herald parses them when the config loads.
  let serviceConfig: unknown = options.service.config;
  if (plugin.serviceConfigSchema) {
    const parsed = plugin.serviceConfigSchema.safeParse(options.service.config);
    if (!parsed.success) fail('service-config', `the service options do not parse: ${parsed.error.message}`);
    serviceConfig = parsed.data;
  }
  const config = plugin.configSchema.safeParse(options.pluginConfig ?? {});
  if (!config.success) fail('plugin-config', `the plugin options do not parse: ${config.error.message}`);

  let handle: SinkHandle<unknown>;
  try {
    const deps = fakeDeps(plugin.deps, logger);
    handle = (await within('init', SEND_BOUND_MS, plugin.init({ ...deps, config: config.data, signal: new AbortController().signal } as never), 'init')) as SinkHandle<unknown>;
  } catch (err) {
    if (err instanceof SinkConformanceError) throw err;
    return fail('init', `init threw: ${String(err)}`, err);
  }

  const send = (signal: AbortSignal = new AbortController().signal) => {
    sends++;
    // A new key per send: a remote that deduplicates must not drop a check's message.
    const base = sampleNotification({ destination: { serviceType: options.service.type, service: options.service.name, recipient: '' }, ...options.notification });
    const notification = { ...base, idempotencyKey: `${base.idempotencyKey}${sends.toString(16).padStart(4, '0')}` };
    return handle.send(notification, { attempt: 1, signal, service: { ...options.service, config: serviceConfig } });
  };
  const rejection = async (check: string, signal?: AbortSignal, bound = SEND_BOUND_MS) => {
    try {
      await within(check, bound, send(signal), 'send');
    } catch (err) {
      if (err instanceof SinkConformanceError) throw err;
      errors.push(err);
      if (!isDeliveryError(err)) return fail(check, `send threw ${String(err)}, not a DeliveryError`, err);
      return err;
    }
    return fail(check, 'send resolved, but the remote side failed it');
  };
  const delivers = async (check: SinkConformanceCheck) => {
    await remote.reset();
    const before = await remote.accepted();
    try {
      await within(check, SEND_BOUND_MS, send(), 'send');
    } catch (err) {
      errors.push(err);
      fail(check, `send failed: ${err instanceof Error ? err.message : String(err)}`, err);
    }
    const after = await remote.accepted();
    if (after !== before + 1) fail(check, `send resolved, but the remote side accepted ${after - before} notifications, not 1`);
    pass(check);
  };
  const refused = async (check: SinkConformanceCheck, kind: RemoteFailure, retryable: boolean) => {
    await remote.reset();
    const before = await remote.accepted();
    await remote.failNext(kind);
    const err = await rejection(check);
    if (err.retryable !== retryable) fail(check, `the DeliveryError is ${err.retryable ? '' : 'not '}retryable: ${err.message}`, err);
    if ((await remote.accepted()) !== before) fail(check, 'the remote side failed the send, yet accepted it');
    pass(check);
  };

  try {
    await delivers('first-send-delivers');
    if (failures.has('retryable')) await refused('retryable-failure', 'retryable', true);
    else report.skipped.push('retryable-failure: the remote cannot fail that way');
    if (failures.has('permanent')) await refused('permanent-failure', 'permanent', false);
    else report.skipped.push('permanent-failure: the remote cannot fail that way');

    if (failures.has('throttle')) {
      await remote.reset();
      await remote.failNext('throttle', { retryAfterMs: 3_000 });
      const err = await rejection('retry-after');
      if (!err.retryable) fail('retry-after', `a throttled send is not retryable: ${err.message}`, err);
      const after = (err as { retryAfterMs?: unknown }).retryAfterMs;
      if (after !== 3_000) fail('retry-after', `retryAfterMs is ${String(after)}, not the 3000 the remote asked for`, err);
      pass('retry-after');
    } else report.skipped.push('retry-after: the remote has no Retry-After (e.g. SMTP)');

    if (failures.has('hang')) {
      await remote.reset();
      await remote.failNext('hang');
      const deadline = options.hangDeadlineMs ?? 300;
      const err = await rejection('abort-on-hang', AbortSignal.timeout(deadline), deadline + (options.abortGraceMs ?? 2_000));
      if (!err.retryable) fail('abort-on-hang', `an aborted send must be retryable (it may have arrived): ${err.message}`, err);
      pass('abort-on-hang');
    } else report.skipped.push('abort-on-hang: the remote cannot hang');

    // After every failure, the sink still delivers (its connections recovered).
    await delivers('delivers-after-failures');
  } catch (err) {
    // A failed check still leaves nothing running behind it.
    await Promise.resolve()
      .then(() => handle.stop())
      .catch(() => undefined);
    throw err;
  } finally {
    await remote.reset();
  }

  try {
    await within('stop-idempotent', SEND_BOUND_MS, Promise.all([handle.stop(), handle.stop()]), 'stop() twice at once');
    await within('stop-idempotent', SEND_BOUND_MS, handle.stop(), 'a third stop()');
  } catch (err) {
    if (err instanceof SinkConformanceError) throw err;
    fail('stop-idempotent', `stop() threw: ${String(err)}`, err);
  }
  pass('stop-idempotent');

  const seen = [...errors.map(errorText), logger.text()].join('\n');
  const leaked = options.secrets.filter((s) => seen.includes(s));
  if (leaked.length > 0) fail('no-secret-leak', `${leaked.length} secret(s) appear in an error or a log line (the first at: ${excerpt(seen, leaked[0]!)})`);
  if (errors.length === 0) report.skipped.push('no-secret-leak: no error to look at');
  pass('no-secret-leak');
  return report;
}

// Message, stack and causes: everything an error can put in front of a person.
function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : safeJson(e));
  }
  return parts.join('\n');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

// Where the secret is, with the secret itself masked: the failure message must not leak it either.
function excerpt(text: string, secret: string): string {
  const at = text.indexOf(secret);
  return JSON.stringify(text.slice(Math.max(0, at - 40), at + secret.length + 40).split(secret).join('<secret>'));
}
