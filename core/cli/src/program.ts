import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ROLES, type Role } from '@herald/core-kernel';
import { configCheckCommand } from './commands/config-check-command.ts';
import { registerDlqCommands } from './commands/dlq-command.ts';
import {
  configValidateCommand,
  templateGetCommand,
  templateNotifyCommand,
  triggerGetCommand,
  triggerRunCommand,
  type ListFormat,
} from './commands/notification-commands.ts';
import { pluginNewCommand, type PluginNewFlags } from './commands/plugin-new-command.ts';
import { registerReplayCommand } from './commands/replay-command.ts';
import { registerRouteTestCommand } from './commands/route-test-command.ts';
import { runCommand } from './commands/run-command.ts';
import { registerStatusCommand } from './commands/status-command.ts';
import { ExitCode } from './exit-codes.ts';
import { print, type Output, type OutputFormat } from './output.ts';
import { versionInfo } from './version.ts';

const listOutputOption = () => new Option('-o, --output <format>', 'output format').choices(['text', 'wide', 'json', 'yaml']).default('text');
const configMapOption = () => new Option('--config-map <file>', 'notification ConfigMap manifest (YAML; - for stdin)').makeOptionMandatory();
const secretOption = () => new Option('--secret <file>', 'notification Secret manifest: what $name references in services resolve to');
const varOption = () => new Option('--var <name>', "the object's variable name in expressions and templates (default: the engine config's notifications.variables, else its lower-case kind)");
const engineConfigOption = () => new Option('-c, --config <file>', 'engine config whose notifications.variables name objects (default: $HERALD_CONFIG, else ./herald.yaml if present)');

interface NotificationFlags {
  configMap: string;
  secret?: string;
  var?: string;
  config?: string;
}
const fileFlags = (o: NotificationFlags) => ({ configMap: o.configMap, ...(o.secret ? { secret: o.secret } : {}), ...(o.var ? { var: o.var } : {}), ...(o.config ? { config: o.config } : {}) });

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

  const config = program.command('config').description('check the engine config (herald.yaml) or validate a notification ConfigMap');
  config
    .command('check')
    .description('validate the engine config and environment overrides without starting anything')
    .option('-c, --config <file>', 'engine config file (default: $HERALD_CONFIG)')
    .addOption(outputOption())
    .action(async (opts: { config?: string; output: OutputFormat }) => {
      exitCode = await configCheckCommand(opts.config ? { config: opts.config } : {}, out(opts.output));
    });

  const trigger = program.command('trigger').description('work with the triggers of a notification config (Argo format)');
  trigger
    .command('run <trigger> <resource>')
    .description("evaluate a trigger's conditions on a resource file (YAML or JSON; - for stdin)")
    .addOption(configMapOption())
    .addOption(secretOption())
    .addOption(varOption())
    .addOption(engineConfigOption())
    .addOption(listOutputOption())
    .action(async (name: string, resource: string, opts: NotificationFlags & { output: ListFormat }) => {
      exitCode = await triggerRunCommand(name, resource, { ...fileFlags(opts), output: opts.output }, io);
    });
  trigger
    .command('get [name]')
    .description('list the triggers a config defines')
    .addOption(configMapOption())
    .addOption(secretOption())
    .addOption(listOutputOption())
    .action(async (name: string | undefined, opts: NotificationFlags & { output: ListFormat }) => {
      exitCode = await triggerGetCommand(name, { ...fileFlags(opts), output: opts.output }, io);
    });

  const template = program.command('template').description('work with the templates of a notification config (Argo format)');
  template
    .command('notify <template> <resource>')
    .description('render a template for a resource file and print it (nothing is sent)')
    .addOption(configMapOption())
    .addOption(secretOption())
    .addOption(varOption())
    .addOption(engineConfigOption())
    .option('--recipient <service:recipient>', 'destination the template is rendered for', 'console:stdout')
    .addOption(new Option('-o, --output <format>', 'text: the message (and the service block); json/yaml: the whole rendered notification').choices(['text', 'json', 'yaml']).default('text'))
    .action(async (name: string, resource: string, opts: NotificationFlags & { recipient: string; output: 'text' | 'json' | 'yaml' }) => {
      exitCode = await templateNotifyCommand(name, resource, { ...fileFlags(opts), recipient: opts.recipient, output: opts.output }, io);
    });
  template
    .command('get [name]')
    .description('list the templates a config defines')
    .addOption(configMapOption())
    .addOption(secretOption())
    .addOption(listOutputOption())
    .action(async (name: string | undefined, opts: NotificationFlags & { output: ListFormat }) => {
      exitCode = await templateGetCommand(name, { ...fileFlags(opts), output: opts.output }, io);
    });

  config
    .command('validate <configmap>')
    .description("validate a notification ConfigMap (Argo format) as the engine does: every problem with its key and line, services and template blocks checked by the engine's sinks")
    .addOption(secretOption())
    .option('-c, --config <file>', "engine config whose sink plugins check services and template blocks (default: $HERALD_CONFIG, else ./herald.yaml if present, else Herald's built-in sinks)")
    .addOption(outputOption())
    .action(async (configMap: string, opts: { secret?: string; config?: string; output: OutputFormat }) => {
      exitCode = await configValidateCommand(configMap, { ...(opts.secret ? { secret: opts.secret } : {}), ...(opts.config ? { config: opts.config } : {}), output: opts.output }, io);
    });

  registerDlqCommands(program, io, (code) => (exitCode = code));
  registerRouteTestCommand(program, io, (code) => (exitCode = code));
  registerStatusCommand(program, io, (code) => (exitCode = code));
  registerReplayCommand(program, io, (code) => (exitCode = code));

  const plugin = program.command('plugin').description('work on Herald plugins');
  plugin
    .command('new <name>')
    .description('create a new plugin package <name> (an npm package name), as `npm create @herald/plugin` does')
    .addOption(new Option('-k, --kind <kind>', 'sink: delivers notifications; source: publishes resource events').choices(['sink', 'source']).default('sink'))
    .option('-d, --directory <dir>', 'where to create it (default: the name without its scope); must not exist, or be empty')
    .option('--sdk <spec>', 'devDependency spec of @herald/plugin-sdk (default ^1.0.0; e.g. file:<tarball>)')
    .option('--testing <spec>', 'devDependency spec of @herald/plugin-testing (default ^1.0.0)')
    .addOption(outputOption())
    .action(async (name: string, opts: PluginNewFlags & { output: OutputFormat }) => {
      const { output, ...flags } = opts;
      exitCode = await pluginNewCommand(name, flags, out(output));
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
