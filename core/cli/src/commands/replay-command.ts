import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDuration } from '@herald/plugin-sdk';
import { ExitCode } from '../exit-codes.ts';
import type { Output } from '../output.ts';

export type Io = Omit<Output, 'format'>;

export interface ReplayFlags {
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
      setExit(await (await import('./replay-run.ts')).replay(opts, io));
    });
}
