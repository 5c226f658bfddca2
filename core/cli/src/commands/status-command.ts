import { Option, type Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import type { BusInspector } from '@herald/core-bus';
import { ExitCode } from '../exit-codes.ts';
import { printFailure, type Output } from '../output.ts';
import { engineConfigFor, inspectBus } from './status-bus.ts';
import { sourceLeader } from './status-leader.ts';
import { durableStatus, processStatus, statusText, type StatusReport } from './status-report.ts';

const TIMEOUT_MS = 5_000;

type Io = Omit<Output, 'format'>;
type StatusFormat = 'text' | 'json' | 'yaml';

/** `herald status`: what runs, and how far behind it is. */
export function registerStatusCommand(program: Command, io: Io, setExit: (code: ExitCode) => void): void {
  program
    .command('status')
    .description('what runs where (per role and replica), NATS and its streams, consumer lag per durable, dead letters, the notification config in force and the source leader')
    .option('-c, --config <file>', 'engine config: nats, and the Kubernetes source whose Lease names the leader (default: $HERALD_CONFIG, else ./herald.yaml if present)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'))
    .action(async (opts: { config?: string; output: StatusFormat }) => setExit(await status(opts, io)));
}

async function status(opts: { config?: string; output: StatusFormat }, io: Io): Promise<ExitCode> {
  const out = { ...io, format: opts.output };
  let inspector: BusInspector | undefined;
  try {
    const { config } = engineConfigFor(opts.config);
    const [connected, leader] = await Promise.all([inspectBus(config, TIMEOUT_MS, 'status'), sourceLeader(config, TIMEOUT_MS)]);
    inspector = connected;
    const [announced, streams, consumers] = await Promise.all([inspector.processes(), inspector.streams(), inspector.consumers()]);
    const now = Date.now();
    const letters = streams.find((s) => s.channel === 'deadLetters');
    const report: StatusReport = {
      nats: inspector.server,
      processes: processStatus(announced, leader, now),
      streams,
      durables: durableStatus(consumers),
      deadLetters: { total: letters?.messages ?? 0, byChannel: letters?.subjects ?? {} },
      sourceLeader: leader ?? null,
    };
    if (opts.output === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (opts.output === 'yaml') io.stdout.write(toYaml(report));
    else io.stdout.write(statusText(report, now));
    const missing = streams.filter((s) => !s.exists);
    if (missing.length && opts.output === 'text') io.stderr.write(`herald: missing stream(s) ${missing.map((s) => s.name).join(', ')}: has Herald run against this server, with these nats prefixes?\n`);
    return missing.length ? ExitCode.failure : ExitCode.ok;
  } catch (err) {
    return printFailure(out, err);
  } finally {
    await inspector?.close();
  }
}
