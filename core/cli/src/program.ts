import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ROLES, type Role } from '@herald/core-kernel';
import { isHeraldError } from '@herald/plugin-sdk';
import { registerDlqCommands } from './commands/dlq-command.ts';
import type { InputFlags, ListFormat } from './commands/notification-commands.ts';
import type { PluginNewFlags } from './commands/plugin-new-command.ts';
import { parseRecipient } from './commands/recipient.ts';
import { registerReplayCommand } from './commands/replay-command.ts';
import { registerRouteTestCommand } from './commands/route-test-command.ts';
import { COMPLETE_COMMAND, completionCandidates, completionScript, SHELLS, type Shell } from './completion.ts';
import { CliErrorCodes } from './errors.ts';
import { registerStatusCommand } from './commands/status-command.ts';
import { ExitCode } from './exit-codes.ts';
import { print, printError, type Output, type OutputFormat } from './output.ts';
import { versionInfo } from './version.ts';

/**
 * A command's module is imported when the command runs: `herald run` (a role process above all) does not load
 * the evaluator and the config parsers the notification commands need, nor the plugin generator.
 */
const notificationCommands = () => import('./commands/notification-commands.ts');

const listOutputOption = () => new Option('-o, --output <format>', 'output format').choices(['text', 'wide', 'json', 'yaml']).default('text');
const varOption = () => new Option('--var <name>', "the object's variable name in expressions and templates (default: the engine config's notifications.variables, else its lower-case kind)");
const engineConfigOption = () => new Option('-c, --config <file>', 'engine config: its notifications section names the ConfigMap, Secret and variables (default: $HERALD_CONFIG, else ./herald.yaml if present)');

/**
 * `argocd admin notifications`' flags: each of ConfigMap, Secret and resource comes from a file when one
 * is named, else from the cluster in the kubeconfig.
 */
function addInputOptions(command: Command, withConfigMap = true): Command {
  if (withConfigMap) command.addOption(new Option('--config-map <file>', "notification ConfigMap manifest (YAML; - for stdin); default: the engine's ConfigMap (notifications.configMap) read from the cluster"));
  return command
    .addOption(new Option('--secret <file>', "notification Secret manifest, or :empty for none; default: the engine's Secret from the cluster when the ConfigMap is read from it, else none"))
    .addOption(new Option('-n, --namespace <namespace>', "the object's namespace, and the ConfigMap's unless notifications.namespace names it (default: the kubeconfig context's)"))
    .addOption(new Option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)'))
    .addOption(new Option('--context <name>', 'kubeconfig context (default: its current context)'))
    .addOption(engineConfigOption());
}

interface NotificationFlags extends InputFlags {
  var?: string;
}
const inputFlags = (o: NotificationFlags): NotificationFlags => Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && ['configMap', 'secret', 'namespace', 'kubeconfig', 'context', 'config', 'var'].includes(k)));

/** Collects repeated `--recipient service:recipient`; a malformed one is a usage error (exit 2). */
function collectRecipient(value: string, previous: string[] | undefined): string[] {
  if (!parseRecipient(value)) throw new InvalidArgumentError('must be <service>:<recipient>, e.g. console:stdout, webhook: or slack:alerts');
  return [...(previous ?? []), value];
}

const outputOption = () => new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');

function parseRoles(value: string, previous: Role[] | undefined): Role[] {
  const roles = value.split(',').map((r) => r.trim());
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) throw new InvalidArgumentError(`"${role}" is not a role; use ${ROLES.join(', ')}`);
  }
  return [...(previous ?? []), ...(roles as Role[])];
}

/** The `-o/--output` value on the command line, looked up before parsing so that usage errors honour it. */
function requestedFormat(argv: readonly string[]): string | undefined {
  let format: string | undefined;
  for (const [i, arg] of argv.entries()) {
    if (arg === '--') break;
    if (arg === '-o' || arg === '--output') format = argv[i + 1];
    else if (arg.startsWith('--output=')) format = arg.slice('--output='.length);
    else if (/^-o[a-z]/.test(arg)) format = arg.slice(2);
  }
  return format;
}

function versionLine(): string {
  const v = versionInfo();
  return `herald ${v.version} (plugin contract ${v.pluginContract}, plugin SDK ${v.sdk}, node ${v.node})`;
}

/** Runs the `herald` command line and returns its exit code: 0 ok, 1 failure, 2 usage error. */
export async function runCli(argv: readonly string[], io: Omit<Output, 'format'>): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.ok;
  const out = (format: OutputFormat): Output => ({ ...io, format });
  const format = requestedFormat(argv);
  const program = new Command('herald')
    .description('Kubernetes notifications on a NATS JetStream bus, configured like Argo Notifications')
    .version(versionLine(), '-V, --version', "print Herald's version")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Usage errors too are a document on stdout when the command line asks for -o json|yaml.
      outputError: (s, write) =>
        format === 'json' || format === 'yaml' ? printError({ ...io, format }, { code: CliErrorCodes.usage, message: s.trim().replace(/^error: /, '') }) : write(s),
    })
    .showHelpAfterError('(run herald --help for usage)');

  program
    .command('run')
    .description('run Herald: every role in one process, or the roles given with --role')
    .option('-c, --config <file>', 'engine config file (default: $HERALD_CONFIG, else ./herald.yaml if present)')
    .option('-r, --role <roles>', `roles to run, comma-separated or repeated: ${ROLES.join(', ')}`, parseRoles)
    .addOption(outputOption())
    .action(async (opts: { config?: string; role?: Role[]; output: OutputFormat }) => {
      exitCode = await (await import('./commands/run-command.ts')).runCommand({ ...(opts.config ? { config: opts.config } : {}), ...(opts.role ? { role: opts.role } : {}) }, out(opts.output));
    });

  program
    .command('version')
    .description('print the version of Herald, its plugin contract and SDK')
    .addOption(outputOption())
    .action((opts: { output: OutputFormat }) => {
      print(out(opts.output), versionLine(), versionInfo());
    });

  const config = program.command('config').description('check the engine config (herald.yaml) or validate a notification ConfigMap');
  config
    .command('check')
    .description('validate the engine config and environment overrides without starting anything')
    .option('-c, --config <file>', 'engine config file (default: $HERALD_CONFIG)')
    .addOption(outputOption())
    .action(async (opts: { config?: string; output: OutputFormat }) => {
      exitCode = await (await import('./commands/config-check-command.ts')).configCheckCommand(opts.config ? { config: opts.config } : {}, out(opts.output));
    });

  const trigger = program.command('trigger').description('work with the triggers of a notification config (Argo format)');
  addInputOptions(
    trigger
      .command('run <trigger> <resource>')
      .description("evaluate a trigger's conditions on a resource: a file (YAML or JSON; - for stdin) or <kind>[.<group>]/<name> in the cluster"),
  )
    .addOption(varOption())
    .addOption(listOutputOption())
    .action(async (name: string, resource: string, opts: NotificationFlags & { output: ListFormat }) => {
      exitCode = await (await notificationCommands()).triggerRunCommand(name, resource, { ...inputFlags(opts), output: opts.output }, io);
    });
  addInputOptions(trigger.command('get [name]').description('list the triggers a config defines'))
    .addOption(listOutputOption())
    .action(async (name: string | undefined, opts: NotificationFlags & { output: ListFormat }) => {
      exitCode = await (await notificationCommands()).triggerGetCommand(name, { ...inputFlags(opts), output: opts.output }, io);
    });

  const template = program.command('template').description('work with the templates of a notification config (Argo format)');
  addInputOptions(
    template
      .command('notify <template> <resource>')
      .description('render a template for a resource (a file, or <kind>[.<group>]/<name> in the cluster) and print it; with --send, deliver it through the sink'),
  )
    .addOption(varOption())
    .option('--recipient <service:recipient>', 'destination the template is rendered (and sent) for; repeatable (default: console:stdout)', collectRecipient)
    .option('--send', "deliver through the sink herald.yaml configures for the recipient's service (one attempt each; console: prints)", false)
    .addOption(new Option('-o, --output <format>', 'text: the message (and the service block); json/yaml: the whole rendered notification (with --send: what was sent)').choices(['text', 'json', 'yaml']).default('text'))
    .action(async (name: string, resource: string, opts: NotificationFlags & { recipient?: string[]; send: boolean; output: 'text' | 'json' | 'yaml' }) => {
      exitCode = await (await notificationCommands()).templateNotifyCommand(name, resource, { ...inputFlags(opts), recipient: opts.recipient ?? ['console:stdout'], send: opts.send, output: opts.output }, io);
    });
  addInputOptions(template.command('get [name]').description('list the templates a config defines'))
    .addOption(listOutputOption())
    .action(async (name: string | undefined, opts: NotificationFlags & { output: ListFormat }) => {
      exitCode = await (await notificationCommands()).templateGetCommand(name, { ...inputFlags(opts), output: opts.output }, io);
    });

  addInputOptions(
    config
      .command('validate [configmap]')
      .description(
        "validate a notification ConfigMap (Argo format; a file, else the engine's from the cluster) as the engine does: every problem with its key and line, services and template blocks checked by the engine's sinks",
      ),
    false,
  )
    .addOption(outputOption())
    .action(async (configMap: string | undefined, opts: NotificationFlags & { output: OutputFormat }) => {
      exitCode = await (await notificationCommands()).configValidateCommand(configMap, { ...inputFlags(opts), output: opts.output }, io);
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
      exitCode = await (await import('./commands/plugin-new-command.ts')).pluginNewCommand(name, flags, out(output));
    });

  program
    .command('completion')
    .description('print a shell completion script: source <(herald completion bash), or zsh; herald completion fish | source')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .action((shell: Shell) => {
      io.stdout.write(completionScript(shell));
    });

  // What the completion scripts call: candidates for the words typed so far, never an error.
  if (argv[0] === COMPLETE_COMMAND) {
    for (const candidate of completionCandidates(program, argv.slice(1))) io.stdout.write(`${candidate}\n`);
    return ExitCode.ok;
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' || err.exitCode === 0;
      return ok ? ExitCode.ok : ExitCode.usage;
    }
    // Anything else is a bug; still one error document for -o json|yaml, with the stack on stderr for a report.
    const error = err as Error;
    printError({ ...io, format: format ?? 'text' }, { code: isHeraldError(error) ? error.code : CliErrorCodes.unexpected, message: String(error?.message ?? error) });
    io.stderr.write(`${error?.stack ?? ''}\n`);
    return ExitCode.failure;
  }
}
