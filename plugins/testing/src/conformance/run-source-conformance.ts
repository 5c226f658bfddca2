import { isDeepStrictEqual } from 'node:util';
import { resourceEventDataSchema, type SourceHandle, type SourcePlugin } from '@herald/plugin-sdk';
import { SourceConformanceError } from '../errors.ts';
import { fakeCoreServices, type FakeCoreServices } from '../fakes/fake-core-services.ts';
import { memoryStore } from '../fakes/memory-store.ts';
import { publishId, type Published } from '../fakes/recording-publisher.ts';

export interface SourceConformanceOptions {
  /** The source under test: what `defineSource()` returned. */
  plugin: SourcePlugin;
  /** Its `plugins[i].options` from herald.yaml, before its configSchema (default `{}`). */
  pluginConfig?: unknown;
  /** Events (or dead letters) the source must publish after `start()` (default 1). */
  events?: number;
  /** How far the kit moves the fake clock each turn while it waits for events (default 1000 ms). */
  clockStepMs?: number;
  /** How long, in real time, the kit waits for the events (default 10 s). */
  timeoutMs?: number;
}

export interface SourceConformanceReport {
  /** The checks that passed, in order. */
  passed: string[];
  /** What each run published, for the test's own assertions. */
  published: { first: Published[]; restart: Published[] };
}

const CALL_BOUND_MS = 15_000;

/**
 * Runs the contract every Herald source keeps, and resolves with the checks passed; the first check that
 * fails throws a SourceConformanceError naming it. The source runs twice over one PluginStore, with fakes
 * of the core services (a clock the kit moves, a recording publisher). One call per source, inside one test
 * of any runner.
 */
export async function runSourceConformance(options: SourceConformanceOptions): Promise<SourceConformanceReport> {
  const { plugin } = options;
  const wanted = options.events ?? 1;
  const step = options.clockStepMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const passed: string[] = [];
  const fail = (check: string, message: string, cause?: unknown): never => {
    throw new SourceConformanceError(check, message, { cause });
  };

  if (plugin.kind !== 'source') fail('plugin', `expected a source made by defineSource(), got kind ${String(plugin.kind)}`);
  const config = plugin.configSchema.safeParse(options.pluginConfig ?? {});
  if (!config.success) fail('plugin-config', `the plugin options do not parse: ${config.error.message}`);
  passed.push('plugin-config');

  const store = memoryStore();
  const start = async (check: string, services: FakeCoreServices): Promise<SourceHandle> => {
    try {
      const handle = await within(check, plugin.init({ ...services.resolve(plugin.deps), config: config.data, signal: new AbortController().signal } as never), 'init');
      await within(check, handle.start(), 'start()');
      return handle;
    } catch (err) {
      if (err instanceof SourceConformanceError) throw err;
      return fail(check, `init or start threw: ${String(err)}`, err);
    }
  };
  // Turns the event loop and moves the fake clock until the source published `count` messages, `maxTurns`
  // passed or time is up; returns the turns taken.
  const drive = async (services: FakeCoreServices, count: number, maxTurns = Infinity): Promise<number> => {
    const until = Date.now() + timeoutMs;
    let turn = 0;
    for (; turn < maxTurns && Date.now() < until; turn++) {
      await settle();
      if (services.publisher.published.length >= count) break;
      services.clock.advance(step);
    }
    return turn;
  };
  const stop = async (check: string, handle: SourceHandle): Promise<void> => {
    try {
      await within(check, Promise.all([handle.stop(), handle.stop()]), 'stop() twice at once');
      await within(check, handle.stop(), 'a third stop()');
    } catch (err) {
      if (err instanceof SourceConformanceError) throw err;
      fail(check, `stop() threw: ${String(err)}`, err);
    }
  };

  // First run.
  const first = fakeCoreServices({ store });
  const handle = await start('init', first);
  passed.push('init');
  const got = first.publisher.published;
  const turns = await drive(first, wanted);
  // Before counting: a key shared by two events makes the bus keep only the first.
  const sharedKeys = () => {
    const byId = new Map<string, Published>();
    for (const entry of first.publisher.calls) {
      const id = publishId(entry);
      const before = byId.get(id);
      if (before && !isDeepStrictEqual(before.data, entry.data)) fail('idempotency-keys', `two different events share the idempotency key ${JSON.stringify(id)}: the bus keeps only the first`);
      byId.set(id, entry);
    }
  };
  try {
    sharedKeys();
    if (got.length < wanted) {
      fail('publishes', `published ${got.length} of ${wanted} events within ${timeoutMs} ms (the clock moved ${turns * step} ms)`);
    }
    passed.push('publishes');

    for (const entry of got) {
      const what = entry.channel === 'deadLetters' ? 'dead letter' : entry.channel === 'events' ? 'resource event' : `${entry.channel} message`;
      if (entry.channel !== 'events' && entry.channel !== 'deadLetters') fail('valid-events', `published a ${what}: a source publishes resource events (or dead letters)`);
      const parsed = resourceEventDataSchema.safeParse(entry.data);
      if (!parsed.success) fail('valid-events', `${what} ${publishId(entry)} is not valid ResourceEventData: ${parsed.error.message}`);
      if (entry.deadLetter && !/^[A-Z][A-Z0-9_]+$/.test(entry.deadLetter.why.code)) fail('valid-events', `dead letter ${publishId(entry)} has code ${JSON.stringify(entry.deadLetter.why.code)}, not an error code such as HERALD_ERR_…`);
    }
    passed.push('valid-events');
  } catch (err) {
    // A failed check leaves nothing running behind it.
    await Promise.resolve()
      .then(() => handle.stop())
      .catch(() => undefined);
    throw err;
  }

  await stop('stop-idempotent', handle);
  passed.push('stop-idempotent');

  const atStop = got.length;
  for (let turn = 0; turn < 10; turn++) {
    first.clock.advance(step * 10);
    await settle();
  }
  if (got.length !== atStop) fail('quiet-after-stop', `published ${got.length - atStop} message(s) after stop() resolved`);
  passed.push('quiet-after-stop');
  sharedKeys();
  passed.push('idempotency-keys');

  const errors = first.logger.lines.filter((l) => l.level === 'error');
  if (errors.length > 0) fail('no-error-logged', `logged ${errors.length} error(s) in a run without failures, the first: ${errors[0]!.msg ?? JSON.stringify(errors[0]!.obj)}`);
  passed.push('no-error-logged');

  // A restart over the same store (a new process, a second replica): the same change keeps its key.
  const again = fakeCoreServices({ store });
  const restarted = await start('restart-same-keys', again);
  await drive(again, got.length, Math.max(turns, 1));
  await stop('restart-same-keys', restarted);
  for (const entry of again.publisher.published) {
    const same = got.find((e) => e.channel === entry.channel && isDeepStrictEqual(e.data, entry.data));
    if (same && publishId(same) !== publishId(entry)) {
      fail('restart-same-keys', `after a restart, published the same event under the key ${JSON.stringify(publishId(entry))}, not ${JSON.stringify(publishId(same))}: the bus would store it twice`);
    }
  }
  passed.push('restart-same-keys');
  return { passed, published: { first: got, restart: again.publisher.published } };
}

/** Lets timers of 0 ms, promise chains and I/O callbacks run: the fake clock's sleepers resume. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function within<T>(check: string, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SourceConformanceError(check, `${what} did not settle within ${CALL_BOUND_MS} ms`)), CALL_BOUND_MS);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
