import { stringify as toYaml } from 'yaml';
import { isHeraldError, type Destination } from '@herald/plugin-sdk';
import { Evaluator } from '@herald/core-evaluator';
import { engineConfigSchema } from '@herald/core-kernel';
import { NotificationConfigErrorCodes, type CompiledNotificationConfig, type NotificationConfig } from '@herald/core-notification-config';
import { CliErrorCodes, CommandError, usageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { printError, type Output } from '../output.ts';
import { readClusterInputs, type ClusterInputs } from './cluster-inputs.ts';
import { compileInputs, formatIssue, objectVariable, readEngineConfig, type ConfigSchemas, type EngineConfigFile, type VariableOptions } from './notification-inputs.ts';
import { sinkSchemas } from './sink-schemas.ts';
import { parseRecipient } from './recipient.ts';
import { table } from './table.ts';

export type ListFormat = 'text' | 'wide' | 'json' | 'yaml';

interface Io {
  stdout: Output['stdout'];
  stderr: Output['stderr'];
}

/**
 * Where the notification config (and the object) come from: files, or the cluster for what no file names,
 * with `argocd admin notifications`' flags.
 */
export interface InputFlags {
  /** `--config-map FILE`; absent: the engine's ConfigMap, read from the cluster. */
  configMap?: string;
  /** `--secret FILE` or `:empty`; absent: the engine's Secret from the cluster when the ConfigMap comes from there. */
  secret?: string;
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  /** `-c/--config`: the engine config (herald.yaml). */
  config?: string;
}

/** Runs a command body; a HeraldError (bad file, bad input, unreachable cluster) is printed as `format` asks. */
async function guarded(io: Io, format: string, body: () => ExitCode | Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await body();
  } catch (err) {
    if (!isHeraldError(err)) throw err;
    const command = err instanceof CommandError ? err : undefined;
    printError({ ...io, format }, { code: err.code, message: err.message, issues: command?.issues });
    return command?.exitCode ?? ExitCode.failure;
  }
}

/** The engine config, read once and only when a command needs what it says. */
function engineOnce(path: string | undefined): () => EngineConfigFile | undefined {
  let read: { file: EngineConfigFile | undefined } | undefined;
  return () => (read ??= { file: readEngineConfig(path) }).file;
}

const defaultNames = () => engineConfigSchema.parse({}).notifications;

/** Reads the inputs from files or the cluster; the cluster's ConfigMap and Secret are those herald.yaml names. */
function readInputs(flags: InputFlags, engine: () => EngineConfigFile | undefined, resource?: string): Promise<ClusterInputs> {
  const needsNames = flags.configMap === undefined;
  const names = (needsNames ? engine()?.config.notifications : undefined) ?? defaultNames();
  return readClusterInputs({
    configMap: flags.configMap,
    secret: flags.secret,
    resource,
    namespace: flags.namespace,
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    names: { configMap: names.configMap, secret: names.secret, namespace: names.namespace },
  });
}

/** The compiled config, or a CommandError with every error; warnings go to stderr. */
function compiledOrFail(inputs: ClusterInputs, io: Io, format: string, schemas: ConfigSchemas = {}): NotificationConfig {
  const { config, issues }: CompiledNotificationConfig = compileInputs(inputs.configMap, inputs.secrets, schemas);
  const text = format !== 'json' && format !== 'yaml';
  for (const issue of issues) if (issue.severity === 'warning' || (!config && text)) io.stderr.write(`${formatIssue(issue)}\n`);
  if (!config) {
    throw new CommandError(NotificationConfigErrorCodes.invalid, `${inputs.origins.configMap === '<stdin>' ? 'the ConfigMap' : inputs.origins.configMap} has errors; fix them first (herald config validate)`, {
      issues: issues.filter((i) => i.severity === 'error'),
    });
  }
  return config;
}

function emit(io: Io, format: ListFormat, value: unknown, text: () => string): void {
  if (format === 'json') io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else if (format === 'yaml') io.stdout.write(toYaml(value));
  else io.stdout.write(text());
}

/** `herald trigger run <trigger> <resource>`: evaluate a trigger's conditions on an object (a file or `kind/name` in the cluster). */
export function triggerRunCommand(trigger: string, resource: string, options: InputFlags & VariableOptions & { output: ListFormat }, io: Io): Promise<ExitCode> {
  return guarded(io, options.output, async () => {
    const engine = engineOnce(options.config);
    const inputs = await readInputs(options, engine, resource);
    const config = compiledOrFail(inputs, io, options.output);
    const object = inputs.object!;
    const evaluator = new Evaluator(config, { varName: objectVariable(object, options, options.var ? undefined : engine()) });
    const outcomes = evaluator.runTrigger(trigger, object);
    if (!outcomes) throw new CommandError(CliErrorCodes.notFound, `trigger "${trigger}" is not defined (defined: ${[...config.triggers.keys()].join(', ') || 'none'})`);
    for (const o of outcomes) if (o.problem) io.stderr.write(`warning: trigger.${trigger}[${o.index}]: ${o.problem}\n`);
    const rows = outcomes.map((o) => ({ key: o.key, triggered: o.triggered, oncePer: o.oncePer ?? null, templates: o.templates }));
    emit(io, options.output, rows, () => {
      const head = ['CONDITION', 'TRIGGERED', 'ONCEPER', 'TEMPLATES', ...(options.output === 'wide' ? ['WHEN'] : [])];
      const body = outcomes.map((o) => [o.key, String(o.triggered), o.oncePer ?? '', o.templates.join(','), ...(options.output === 'wide' ? [o.when] : [])]);
      return table([head, ...body]);
    });
    return ExitCode.ok;
  });
}

/** `herald trigger get [name]`: the triggers a config defines. */
export function triggerGetCommand(name: string | undefined, options: InputFlags & { output: ListFormat }, io: Io): Promise<ExitCode> {
  return guarded(io, options.output, async () => {
    const config = compiledOrFail(await readInputs(options, engineOnce(options.config)), io, options.output);
    const triggers = [...config.triggers.values()].filter((t) => name === undefined || t.name === name);
    if (name !== undefined && triggers.length === 0) throw new CommandError(CliErrorCodes.notFound, `trigger "${name}" is not defined`);
    const rows = triggers.flatMap((t) => t.conditions.map((c) => ({ name: t.name, key: c.key, description: c.description, when: c.when, oncePer: c.oncePer ?? null, templates: c.send })));
    emit(io, options.output, rows, () => {
      const wide = options.output === 'wide';
      const head = ['NAME', 'TEMPLATES', 'CONDITION', ...(wide ? ['ONCEPER', 'DESCRIPTION'] : [])];
      return table([head, ...rows.map((r) => [r.name, r.templates.join(','), r.when, ...(wide ? [r.oncePer ?? '', r.description] : [])])]);
    });
    return ExitCode.ok;
  });
}

/** `herald template get [name]`: the templates a config defines. */
export function templateGetCommand(name: string | undefined, options: InputFlags & { output: ListFormat }, io: Io): Promise<ExitCode> {
  return guarded(io, options.output, async () => {
    const config = compiledOrFail(await readInputs(options, engineOnce(options.config)), io, options.output);
    const templates = [...config.templates.values()].filter((t) => name === undefined || t.name === name);
    if (name !== undefined && templates.length === 0) throw new CommandError(CliErrorCodes.notFound, `template "${name}" is not defined`);
    const usedBy = (t: string) => [...config.triggers.values()].filter((tr) => tr.conditions.some((c) => c.send.includes(t))).map((tr) => tr.name);
    const rows = templates.map((t) => ({ name: t.name, blocks: t.blocks, triggers: usedBy(t.name) }));
    emit(io, options.output, rows, () => table([['NAME', 'BLOCKS', 'USED BY'], ...rows.map((r) => [r.name, r.blocks.join(','), r.triggers.join(',')])]));
    return ExitCode.ok;
  });
}

/**
 * `herald template notify <template> <resource>`: render a template for each `--recipient` and print it;
 * with `--send`, deliver it through the sink the engine would use (one attempt each, as Argo's command does).
 */
export function templateNotifyCommand(
  template: string,
  resource: string,
  options: InputFlags & VariableOptions & { recipient: readonly string[]; send: boolean; output: 'text' | 'json' | 'yaml' },
  io: Io,
): Promise<ExitCode> {
  return guarded(io, options.output, async () => {
    const engine = engineOnce(options.config);
    const inputs = await readInputs(options, engine, resource);
    // Sending uses the sinks' parsed service options, as the engine's sink runner hands them over.
    const schemas = options.send ? await sinkSchemas(options.config) : {};
    const config = compiledOrFail(inputs, io, options.output, schemas);
    if (!config.templates.has(template)) throw new CommandError(CliErrorCodes.notFound, `template "${template}" is not defined (defined: ${[...config.templates.keys()].join(', ') || 'none'})`);
    const destinations = options.recipient.map((value): Destination => {
      const parsed = parseRecipient(value);
      if (!parsed) throw usageError(`--recipient must be <service>:<recipient>, e.g. console:stdout or webhook: (got "${value}")`);
      const entry = config.services.get(parsed.service);
      if (!entry && parsed.service !== 'console') {
        throw usageError(`--recipient ${value}: service "${parsed.service}" is not defined in the config (defined: ${[...config.services.keys()].join(', ') || 'none'}; or use console:stdout)`);
      }
      return { serviceType: entry?.type ?? 'console', service: parsed.service, recipient: parsed.recipient };
    });
    const object = inputs.object!;
    const evaluator = new Evaluator(config, { varName: objectVariable(object, options, options.var ? undefined : engine()) });
    const rendered = destinations.map((destination) => ({ destination, rendered: evaluator.render([template], object, destination, !options.send && options.output !== 'text') }));
    if (options.send) return send(template, object, config, rendered, options, io, engine());
    const doc = rendered.length === 1 ? rendered[0]!.rendered : rendered.map((r) => r.rendered);
    emit(io, options.output, doc, () => rendered.map((r) => renderedText(r.destination, r.rendered)).join(''));
    return ExitCode.ok;
  });
}

function renderedText(destination: Destination, rendered: Record<string, unknown>): string {
  const message = typeof rendered.message === 'string' ? rendered.message : '';
  const block = rendered[destination.serviceType];
  const blockText = block === undefined ? '' : toYaml({ [destination.serviceType]: block });
  const parts = [message, blockText].filter((p) => p !== '');
  return parts.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
}

/** Sends each rendered notification through its sink; `console:` recipients print the message, as Argo's console service does. */
async function send(
  template: string,
  object: Record<string, unknown>,
  config: NotificationConfig,
  rendered: readonly { destination: Destination; rendered: Record<string, unknown> }[],
  options: { output: 'text' | 'json' | 'yaml' },
  io: Io,
  engine: EngineConfigFile | undefined,
): Promise<ExitCode> {
  // Loaded only to send: the sinks' telemetry and bus code stay out of every other command's start.
  const { openCliSinks } = await import('./notification-send.ts');
  const sinks = openCliSinks(engine);
  const results: { recipient: string; sent: boolean; error?: { code: string; message: string } }[] = [];
  try {
    for (const { destination, rendered: r } of rendered) {
      const recipient = `${destination.service}:${destination.recipient}`;
      if (destination.serviceType === 'console') {
        if (options.output === 'text') io.stdout.write(renderedText(destination, r));
        results.push({ recipient, sent: true });
        continue;
      }
      try {
        await sinks.send({ template, destination, service: config.services.get(destination.service)!, rendered: r, object });
        results.push({ recipient, sent: true });
        if (options.output === 'text') io.stdout.write(`sent to ${recipient}\n`);
      } catch (err) {
        if (!isHeraldError(err)) throw err;
        results.push({ recipient, sent: false, error: { code: err.code, message: err.message } });
        if (options.output === 'text') io.stderr.write(`herald: failed to notify ${recipient}: ${err.message}\n`);
      }
    }
  } finally {
    await sinks.close();
  }
  emit(io, options.output, results, () => '');
  return results.every((r) => r.sent) ? ExitCode.ok : ExitCode.failure;
}

/**
 * `herald config validate [configmap]`: every problem with its key and line; exit 1 on any error. The checks
 * are the running engine's: the same loading code, and the service-options and template-block schemas of
 * the sinks the engine config names (Herald's built-in sinks without one, which it says). Without a file,
 * the engine's ConfigMap and Secret are read from the cluster.
 */
export function configValidateCommand(configMap: string | undefined, options: Omit<InputFlags, 'configMap'> & { output: 'text' | 'json' }, io: Io): Promise<ExitCode> {
  return guarded(io, options.output, async () => {
    const schemas = await sinkSchemas(options.config);
    const serviceTypes = [...schemas.deliveredServiceTypes].sort();
    if (schemas.engineConfig === undefined && options.output !== 'json') {
      io.stderr.write(`herald: no engine config (herald.yaml): services are checked against Herald's built-in sinks (${serviceTypes.join(', ')}); give --config to check against the sinks your engine loads\n`);
    }
    const inputs = await readInputs({ ...options, ...(configMap === undefined ? {} : { configMap }) }, engineOnce(options.config));
    const onChangeOnly = schemas.evaluatedOnChangeOnly;
    const { config, issues } = compileInputs(inputs.configMap, inputs.secrets, { ...schemas, ...(onChangeOnly ? { onChangeOnly } : {}) });
    const valid = config !== undefined;
    if (options.output === 'json') {
      io.stdout.write(`${JSON.stringify({ valid, origin: inputs.origins, issues, sinks: { engineConfig: schemas.engineConfig ?? null, serviceTypes } }, null, 2)}\n`);
    } else {
      for (const issue of issues) io.stdout.write(`${formatIssue(issue)}\n`);
      if (config) {
        const shown = inputs.origins.configMap === '<stdin>' ? 'ConfigMap' : inputs.origins.configMap;
        io.stdout.write(
          `${shown}: valid (${config.triggers.size} trigger(s), ${config.templates.size} template(s), ${config.services.size} service(s), ${config.subscriptions.length} subscription(s))\n`,
        );
      } else {
        io.stdout.write(`${issues.filter((i) => i.severity === 'error').length} error(s)\n`);
      }
    }
    return valid ? ExitCode.ok : ExitCode.failure;
  });
}
