import { stringify as toYaml } from 'yaml';
import type { BusInspector } from '@herald/core-bus';
import { NotificationConfigErrorCodes } from '@herald/core-notification-config';
import { ExitCode } from '../exit-codes.ts';
import { printError, printFailure } from '../output.ts';
import { formatIssue } from './notification-inputs.ts';
import type { Io, ReplayFlags } from './replay-command.ts';
import { loadReplayConfigs } from './replay-inputs.ts';
import { replayText, type ReplayReport } from './replay-report.ts';
import { diffSends, simulateSends, type ReplayedEvent } from './replay-simulation.ts';
import { engineConfigFor, inspectBus } from './status-bus.ts';

const TIMEOUT_MS = 5_000;

/** What `herald replay` does, imported when it runs (it loads the evaluator). */
export async function replay(opts: ReplayFlags, io: Io): Promise<ExitCode> {
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
