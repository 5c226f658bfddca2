import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEAD_LETTER_ORIGINS, DeadLetterStore, type DeadLetterOrigin } from '@herald/core-bus';
import { Dedup } from '@herald/core-dedup';
import { ConfigError, loadEngineConfig, toBusOptions, type EngineConfig, resolveEngineConfigPath } from '@herald/core-kernel';
import { isHeraldError } from '@herald/plugin-sdk';
import { ExitCode } from '../exit-codes.ts';
import { print, printError, type Output, type OutputFormat } from '../output.ts';
import { letterDetails, listText, showText, summarize, type LetterSummary } from './dlq-format.ts';
import { retryLetter, type RetryOutcome } from './dlq-retry.ts';
import { CliErrorCodes } from '../errors.ts';

/** Bound on connecting and on each request: an operator's command fails rather than waits for NATS. */
const TIMEOUT_MS = 5_000;

interface CommonFlags {
  config?: string;
  output: OutputFormat;
}
type Io = Omit<Output, 'format'>;

const configOption = () => new Option('-c, --config <file>', 'engine config file, for the nats section (default: $HERALD_CONFIG, else ./herald.yaml if present)');
const outputOption = () => new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');
const channelOption = () => new Option('--channel <channel>', 'only dead letters from this channel').choices([...DEAD_LETTER_ORIGINS]);

function parseId(value: string, previous?: number[]): number[] {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a dead-letter id (the number \`herald dlq list\` shows)`);
  return [...(previous ?? []), Number(value)];
}

function parseLimit(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('must be a positive integer');
  return Number(value);
}

/** `herald dlq list | show | retry | purge`. */
export function registerDlqCommands(program: Command, io: Io, setExit: (code: ExitCode) => void): void {
  const dlq = program.command('dlq').description('inspect dead letters and send them again once the cause is fixed');

  dlq
    .command('list')
    .description('list dead letters, oldest first')
    .addOption(configOption())
    .addOption(channelOption())
    .option('--limit <n>', 'show at most this many', parseLimit)
    .addOption(outputOption())
    .action(async (opts: CommonFlags & { channel?: DeadLetterOrigin; limit?: number }) => {
      setExit(await withStore(opts, io, (store, out) => list(store, out, opts)));
    });

  dlq
    .command('show')
    .description('show a dead letter: the reason, the original message, its headers and payload')
    .argument('<id>', 'dead-letter id', (v: string) => parseId(v)[0]!)
    .addOption(configOption())
    .addOption(outputOption())
    .action(async (id: number, opts: CommonFlags) => {
      setExit(await withStore(opts, io, (store, out) => show(store, out, id)));
    });

  dlq
    .command('retry')
    .description('put originals back on their subjects and delete their letters (a notification is never sent twice)')
    .argument('[ids...]', 'dead-letter ids', parseId)
    .option('--all', 'every dead letter there is now')
    .addOption(channelOption())
    .addOption(configOption())
    .addOption(outputOption())
    .action(async (ids: number[] | undefined, opts: CommonFlags & { all?: boolean; channel?: DeadLetterOrigin }, cmd: Command) => {
      if (opts.all && ids?.length) cmd.error('error: give dead-letter ids or --all, not both', { exitCode: ExitCode.usage });
      if (!opts.all && !ids?.length) cmd.error('error: give the ids of the dead letters to retry, or --all', { exitCode: ExitCode.usage });
      if (opts.channel && !opts.all) cmd.error('error: --channel goes with --all', { exitCode: ExitCode.usage });
      setExit(await withStore(opts, io, (store, out, config) => retry(store, out, config, { ids: ids ?? [], all: opts.all === true, ...(opts.channel ? { channel: opts.channel } : {}) })));
    });

  dlq
    .command('purge')
    .description('delete dead letters for good')
    .addOption(channelOption())
    .option('--yes', 'confirm')
    .addOption(configOption())
    .addOption(outputOption())
    .action(async (opts: CommonFlags & { channel?: DeadLetterOrigin; yes?: boolean }, cmd: Command) => {
      if (!opts.yes) cmd.error(`error: purge deletes ${opts.channel ? `the dead letters from ${opts.channel}` : 'every dead letter'} for good; add --yes to confirm`, { exitCode: ExitCode.usage });
      setExit(
        await withStore(opts, io, async (store, out) => {
          const purged = await store.purge(opts.channel);
          print(out, `purged ${purged} dead letter(s)${opts.channel ? ` from ${opts.channel}` : ''}`, { purged });
          return ExitCode.ok;
        }),
      );
    });
}

/** Loads herald.yaml's nats section, connects within the bound, runs `fn`, and reports any failure. */
async function withStore(opts: CommonFlags, io: Io, fn: (store: DeadLetterStore, out: Output, config: EngineConfig) => Promise<ExitCode>): Promise<ExitCode> {
  const out: Output = { ...io, format: opts.output };
  const path = resolveEngineConfigPath({ explicit: opts.config });
  let store: DeadLetterStore | undefined;
  try {
    const config = loadEngineConfig(path === undefined ? {} : { path });
    const bus = toBusOptions(config);
    store = await DeadLetterStore.connect({
      servers: bus.servers,
      name: `${bus.name}-dlq`,
      ...(bus.auth ? { auth: bus.auth } : {}),
      ...(bus.tls ? { tls: bus.tls } : {}),
      topology: bus.topology!,
      timeoutMs: TIMEOUT_MS,
    });
    // Fails with a clear message when the stream is missing (wrong server or prefixes).
    await store.counts();
    return await fn(store, out, config);
  } catch (err) {
    if (err instanceof ConfigError) printError(out, { code: err.code, message: err.message, issues: err.issues });
    else printError(out, { ...(isHeraldError(err) ? { code: err.code } : {}), message: err instanceof Error ? err.message : String(err) });
    return ExitCode.failure;
  } finally {
    await store?.close();
  }
}


async function list(store: DeadLetterStore, out: Output, opts: { channel?: DeadLetterOrigin; limit?: number }): Promise<ExitCode> {
  const counts = await store.counts();
  const total = opts.channel ? (counts[opts.channel] ?? 0) : Object.values(counts).reduce((a, b) => a + b, 0);
  const shown: LetterSummary[] = [];
  const upTo = await store.lastId();
  for await (const letter of store.letters({ ...(opts.channel ? { channel: opts.channel } : {}), upTo })) {
    if (opts.limit !== undefined && shown.length >= opts.limit) break;
    shown.push(summarize(letter));
  }
  const from = opts.channel ? ` from ${opts.channel}` : '';
  let text = shown.length ? listText(shown) : `no dead letters${from}`;
  if (shown.length && shown.length < total) text += `\n(${shown.length} of ${total} dead letters${from}; see --limit)`;
  print(out, text, shown);
  return ExitCode.ok;
}

async function show(store: DeadLetterStore, out: Output, id: number): Promise<ExitCode> {
  const letter = await store.get(id);
  if (!letter) {
    printError(out, { code: CliErrorCodes.dlqNotFound, message: `no dead letter ${id} in ${store.stream}` });
    return ExitCode.failure;
  }
  print(out, showText(letter), letterDetails(letter));
  return ExitCode.ok;
}

function outcomeText(o: RetryOutcome): string {
  const head = `${o.id} ${o.outcome}`;
  if (o.outcome === 'retried') {
    const claim = o.claimRevision === undefined ? '' : `, claim revision ${o.claimRevision}`;
    return `${head}: ${o.channel} → ${o.subject} (msg id ${o.msgId}${claim})${o.reason ? `; ${o.reason}` : ''}`;
  }
  const kept = o.outcome === 'skipped' ? 'letter deleted' : 'letter kept';
  return `${head}: ${o.reason ?? ''} (${kept})`;
}

async function retry(store: DeadLetterStore, out: Output, config: EngineConfig, opts: { ids: number[]; all: boolean; channel?: DeadLetterOrigin }): Promise<ExitCode> {
  const outcomes: RetryOutcome[] = [];
  let dedup: Promise<Dedup> | undefined;
  const open = async () => new Dedup({ kv: await store.state(), annotationPrefix: config.notifications.annotationPrefix });
  const ctx = { store, dedup: () => (dedup ??= open()) };
  const record = (o: RetryOutcome) => {
    outcomes.push(o);
    if (out.format === 'text') out.stdout.write(`${outcomeText(o)}\n`);
  };
  const retryOne = async (letter: Parameters<typeof retryLetter>[0]) => {
    try {
      record(await retryLetter(letter, ctx));
    } catch (err) {
      record({ id: letter.id, channel: letter.channel, outcome: 'failed', reason: err instanceof Error ? err.message : String(err) });
    }
  };
  if (opts.all) {
    // Letters written from now on (a retried message failing again) are not part of "all".
    const upTo = await store.lastId();
    for await (const letter of store.letters({ ...(opts.channel ? { channel: opts.channel } : {}), upTo })) await retryOne(letter);
  } else {
    for (const id of opts.ids) {
      const letter = await store.get(id);
      if (letter) await retryOne(letter);
      else record({ id, outcome: 'failed', reason: `no dead letter ${id} in ${store.stream}` });
    }
  }
  const count = (k: RetryOutcome['outcome']) => outcomes.filter((o) => o.outcome === k).length;
  const totals = { retried: count('retried'), skipped: count('skipped'), refused: count('refused'), failed: count('failed') };
  if (out.format === 'json') out.stdout.write(`${JSON.stringify({ results: outcomes, ...totals })}\n`);
  else out.stdout.write(outcomes.length ? `${totals.retried} retried, ${totals.skipped} skipped, ${totals.refused} refused, ${totals.failed} failed\n` : 'no dead letters to retry\n');
  const done = totals.retried + totals.skipped;
  // Named letters must all go; with --all a letter that can never be retried (cut, unreadable) does not
  // fail every later run, as long as something was done.
  const ok = opts.all ? totals.failed === 0 && (totals.refused === 0 || done > 0) : done === outcomes.length;
  return ok ? ExitCode.ok : ExitCode.failure;
}
