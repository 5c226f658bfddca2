import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ROLES, type Role } from '@herald/core-kernel';
import { configCheckCommand } from './commands/config-check-command.ts';
import { runCommand } from './commands/run-command.ts';
import { ExitCode } from './exit-codes.ts';
import { print, type Output, type OutputFormat } from './output.ts';
import { versionInfo } from './version.ts';

const outputOption = () => new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');

function parseRoles(value: string, previous: Role[] | undefined): Role[] {
  const roles = value.split(',').map((r) => r.trim());
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) throw new InvalidArgumentError(`"${role}" is not a role; use ${ROLES.join(', ')}`);
  }
  return [...(previous ?? []), ...(roles as Role[])];
}

/** Runs the `herald` command line and returns its exit code: 0 ok, 1 failure, 2 usage error. */
export async function runCli(argv: readonly string[], io: Omit<Output, 'format'>): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.ok;
  const out = (format: OutputFormat): Output => ({ ...io, format });
  const program = new Command('herald')
    .description('Kubernetes notifications on a NATS JetStream bus, configured like Argo Notifications')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run herald --help for usage)');

  program
    .command('run')
    .description('run Herald: every role in one process, or the roles given with --role')
    .option('-c, --config <file>', 'engine config file (default: $HERALD_CONFIG, else ./herald.yaml if present)')
    .option('-r, --role <roles>', `roles to run, comma-separated or repeated: ${ROLES.join(', ')}`, parseRoles)
    .addOption(outputOption())
    .action(async (opts: { config?: string; role?: Role[]; output: OutputFormat }) => {
      exitCode = await runCommand({ ...(opts.config ? { config: opts.config } : {}), ...(opts.role ? { role: opts.role } : {}) }, out(opts.output));
    });

  program
    .command('version')
    .description('print the version of Herald, its plugin contract and SDK')
    .addOption(outputOption())
    .action((opts: { output: OutputFormat }) => {
      const v = versionInfo();
      print(out(opts.output), `herald ${v.version} (plugin contract ${v.pluginContract}, plugin SDK ${v.sdk}, node ${v.node})`, v);
    });

  const config = program.command('config').description('work with the engine config (herald.yaml)');
  config
    .command('check')
    .description('validate the engine config and environment overrides without starting anything')
    .option('-c, --config <file>', 'engine config file (default: $HERALD_CONFIG)')
    .addOption(outputOption())
    .action(async (opts: { config?: string; output: OutputFormat }) => {
      exitCode = await configCheckCommand(opts.config ? { config: opts.config } : {}, out(opts.output));
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' || err.exitCode === 0;
      return ok ? ExitCode.ok : ExitCode.usage;
    }
    throw err;
  }
}
