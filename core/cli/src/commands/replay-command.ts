import { InvalidArgumentError, Option, type Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import type { BusInspector } from '@herald/core-bus';
import { NotificationConfigErrorCodes } from '@herald/core-notification-config';
import { parseDuration } from '@herald/plugin-sdk';
import { ExitCode } from '../exit-codes.ts';
import { printError, printFailure, type Output } from '../output.ts';
import { formatIssue } from './notification-inputs.ts';
import { loadReplayConfigs } from './replay-inputs.ts';
import { replayText, type ReplayReport } from './replay-report.ts';
import { diffSends, simulateSends, type ReplayedEvent } from './replay-simulation.ts';
import { engineConfigFor, inspectBus } from './status-bus.ts';

const TIMEOUT_MS = 5_000;

type Io = Omit<Output, 'format'>;

interface ReplayFlags {
  since?: number;
  from?: Date;
  to?: Date;
  configMap: string;
  secret?: string;
  current?: string;
  currentSecret?: string;
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  config?: string;
  output: 'text' | 'json' | 'yaml';
}

function parseSince(value: string): number {
  try {
    return parseDuration(value, { days: true });
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function parseTime(value: string): Date {
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new InvalidArgumentError(`"${value}" is not a time (RFC 3339, e.g. 2026-01-02T15:04:05Z)`);
  return t;
}

/** `herald replay`: what a candidate notification config would have sent, compared with the config in force. */
export function registerReplayCommand(program: Command, io: Io, setExit: (code: ExitCode) => void): void {
  program
    .command('replay')
    .description('run the resource events recorded over a window through a candidate notification config and the one in force, sending and claiming nothing; print what only one of them sends, per trigger and destination')
    .option('--since <duration>', 'the window: from this long ago until now (e.g. 30m, 2h, 1d)', parseSince)
    .option('--from <time>', 'the window\'s start (RFC 3339)', parseTime)
    .option('--to <time>', 'the window\'s end (RFC 3339; default: now)', parseTime)
    .addOption(new Option('--config-map <file>', 'the candidate notification ConfigMap manifest (YAML)').makeOptionMandatory())
    .option('--secret <file>', 'the candidate\'s Secret manifest')
    .option('--current <file>', 'the ConfigMap in force (default: the engine config\'s notifications.files.configMap, else the ConfigMap it names, read from the cluster)')
    .option('--current-secret <file>', 'the Secret in force (:empty for none)')
    .option('-n, --namespace <namespace>', 'the namespace of the ConfigMap in force, read from the cluster (default: herald.yaml\'s notifications.namespace, else the kubeconfig context\'s)')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, else in-cluster, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('-c, --config <file>', 'engine config: nats, annotationPrefix, variables (default: $HERALD_CONFIG, else ./herald.yaml if present)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'))
    .action(async (opts: ReplayFlags, cmd: Command) => {
      if ((opts.since === undefined) === (opts.from === undefined)) cmd.error('error: give the window with --since or with --from (and --to), not both', { exitCode: ExitCode.usage });
      if (opts.since !== undefined && opts.to) cmd.error('error: --to goes with --from', { exitCode: ExitCode.usage });
      setExit(await replay(opts, io));
    });
}

async function replay(opts: ReplayFlags, io: Io): Promise<ExitCode> {
  const out = { ...io, format: opts.output };
  let inspector: BusInspector | undefined;
  try {
    const engine = engineConfigFor(opts.config).config;
    const configs = await loadReplayConfigs(opts, engine);
    for (const [which, loaded, file] of [['candidate', configs.candidate, opts.configMap], ['current', configs.current, configs.current.from]] as const) {
      if (loaded.config) continue;
      const issues = loaded.issues.filter((i) => i.severity === 'error').map(formatIssue);
      printError(out, { code: NotificationConfigErrorCodes.invalid, message: `the ${which} config ${file} has errors; fix them first (herald config validate)`, issues });
      if (out.format === 'text') for (const issue of issues) io.stderr.write(`${issue}\n`);
      return ExitCode.failure;
    }
    const now = new Date();
    const from = opts.from ?? new Date(now.getTime() - opts.since!);
    const to = opts.to ?? now;
    inspector = await inspectBus(engine, TIMEOUT_MS, 'replay');
    const stream = (await inspector.streams()).find((s) => s.channel === 'events')!;
    const events: ReplayedEvent[] = [];
    const unreadable: { seq: number; problem: string }[] = [];
    for await (const e of inspector.events({ from, to })) {
      if (e.data) events.push({ seq: e.seq, time: e.time, data: e.data });
      else unreadable.push({ seq: e.seq, problem: e.problem ?? 'unreadable' });
    }
    const options = { variables: engine.notifications.variables, annotationPrefix: engine.notifications.annotationPrefix };
    const current = simulateSends(configs.current.config!, events, options);
    const candidate = simulateSends(configs.candidate.config!, events, options);
    const report: ReplayReport = {
      window: { from: from.toISOString(), to: to.toISOString() },
      stream: { name: stream.name, maxAgeMs: stream.maxAgeMs, oldest: stream.firstTime?.toISOString() ?? null },
      // Part of the window is older than the stream keeps, or events of it were removed already: the replay is partial.
      truncated: from.getTime() < now.getTime() - stream.maxAgeMs || (stream.firstSeq > 1 && (!stream.firstTime || stream.firstTime > from)),
      events: events.length,
      unreadable,
      sends: { current: current.length, candidate: candidate.length },
      ...diffSends(current, candidate),
    };
    if (opts.output === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (opts.output === 'yaml') io.stdout.write(toYaml(report));
    else io.stdout.write(replayText(report));
    return ExitCode.ok;
  } catch (err) {
    return printFailure(out, err);
  } finally {
    await inspector?.close();
  }
}
