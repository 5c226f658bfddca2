import { stringify as toYaml } from 'yaml';
import { isHeraldError, type Destination } from '@herald/plugin-sdk';
import { Evaluator } from '@herald/core-evaluator';
import type { NotificationConfig } from '@herald/core-notification-config';
import { ExitCode } from '../exit-codes.ts';
import type { Output } from '../output.ts';
import { formatIssue, loadNotificationConfig, objectVariable, readResource, type ConfigFileOptions, type VariableOptions } from './notification-inputs.ts';
import { sinkSchemas } from './sink-schemas.ts';
import { table } from './table.ts';

export type ListFormat = 'text' | 'wide' | 'json' | 'yaml';

interface Io {
  stdout: Output['stdout'];
  stderr: Output['stderr'];
}

/** Runs a command body; a HeraldError (bad file, bad input) is printed and exits 1. */
async function guarded(io: Io, body: () => ExitCode | Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await body();
  } catch (err) {
    if (!isHeraldError(err)) throw err;
    io.stderr.write(`herald: ${err.message}\n`);
    return ExitCode.failure;
  }
}

function configOrExit(options: ConfigFileOptions, io: Io): NotificationConfig | undefined {
  const { config, issues } = loadNotificationConfig(options);
  for (const issue of issues) if (issue.severity === 'warning' || !config) io.stderr.write(`${formatIssue(issue)}\n`);
  if (!config) io.stderr.write(`herald: ${options.configMap === '-' ? 'the ConfigMap' : options.configMap} has errors; fix them first (herald config validate)\n`);
  return config;
}

function emit(io: Io, format: ListFormat, value: unknown, text: () => string): void {
  if (format === 'json') io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else if (format === 'yaml') io.stdout.write(toYaml(value));
  else io.stdout.write(text());
}

/** `herald trigger run <trigger> <resource>`: evaluate a trigger's conditions on an object. */
export function triggerRunCommand(trigger: string, resource: string, options: ConfigFileOptions & VariableOptions & { output: ListFormat }, io: Io): Promise<ExitCode> {
  return guarded(io, () => {
    const config = configOrExit(options, io);
    if (!config) return ExitCode.failure;
    const object = readResource(resource);
    const evaluator = new Evaluator(config, { varName: objectVariable(object, options) });
    const outcomes = evaluator.runTrigger(trigger, object);
    if (!outcomes) {
      io.stderr.write(`herald: trigger "${trigger}" is not defined (defined: ${[...config.triggers.keys()].join(', ') || 'none'})\n`);
      return ExitCode.failure;
    }
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
export function triggerGetCommand(name: string | undefined, options: ConfigFileOptions & { output: ListFormat }, io: Io): Promise<ExitCode> {
  return guarded(io, () => {
    const config = configOrExit(options, io);
    if (!config) return ExitCode.failure;
    const triggers = [...config.triggers.values()].filter((t) => name === undefined || t.name === name);
    if (name !== undefined && triggers.length === 0) {
      io.stderr.write(`herald: trigger "${name}" is not defined\n`);
      return ExitCode.failure;
    }
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
export function templateGetCommand(name: string | undefined, options: ConfigFileOptions & { output: ListFormat }, io: Io): Promise<ExitCode> {
  return guarded(io, () => {
    const config = configOrExit(options, io);
    if (!config) return ExitCode.failure;
    const templates = [...config.templates.values()].filter((t) => name === undefined || t.name === name);
    if (name !== undefined && templates.length === 0) {
      io.stderr.write(`herald: template "${name}" is not defined\n`);
      return ExitCode.failure;
    }
    const usedBy = (t: string) => [...config.triggers.values()].filter((tr) => tr.conditions.some((c) => c.send.includes(t))).map((tr) => tr.name);
    const rows = templates.map((t) => ({ name: t.name, blocks: t.blocks, triggers: usedBy(t.name) }));
    emit(io, options.output, rows, () => table([['NAME', 'BLOCKS', 'USED BY'], ...rows.map((r) => [r.name, r.blocks.join(','), r.triggers.join(',')])]));
    return ExitCode.ok;
  });
}

/**
 * `herald template notify <template> <resource>`: render a template for a recipient and print it. Unlike
 * Argo's command it sends nothing: delivery is the engine's job.
 */
export function templateNotifyCommand(
  template: string,
  resource: string,
  options: ConfigFileOptions & VariableOptions & { recipient: string; output: 'text' | 'json' | 'yaml' },
  io: Io,
): Promise<ExitCode> {
  return guarded(io, () => {
    const config = configOrExit(options, io);
    if (!config) return ExitCode.failure;
    if (!config.templates.has(template)) {
      io.stderr.write(`herald: template "${template}" is not defined (defined: ${[...config.templates.keys()].join(', ') || 'none'})\n`);
      return ExitCode.failure;
    }
    const colon = options.recipient.indexOf(':');
    if (colon <= 0) {
      io.stderr.write(`herald: --recipient must be <service>:<recipient>, e.g. console:stdout or webhook:\n`);
      return ExitCode.failure;
    }
    const service = options.recipient.slice(0, colon);
    const entry = config.services.get(service);
    if (!entry && service !== 'console') {
      io.stderr.write(`herald: service "${service}" is not defined in the config (or use console:stdout)\n`);
      return ExitCode.failure;
    }
    const destination: Destination = { serviceType: entry?.type ?? 'console', service, recipient: options.recipient.slice(colon + 1) };
    const object = readResource(resource);
    const evaluator = new Evaluator(config, { varName: objectVariable(object, options) });
    const rendered = evaluator.render([template], object, destination, options.output !== 'text');
    emit(io, options.output, rendered, () => {
      const message = typeof rendered.message === 'string' ? rendered.message : '';
      const block = rendered[destination.serviceType];
      const blockText = block === undefined ? '' : toYaml({ [destination.serviceType]: block });
      const parts = [message, blockText].filter((p) => p !== '');
      return parts.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
    });
    return ExitCode.ok;
  });
}

/**
 * `herald config validate <configmap>`: every problem with its key and line; exit 1 on any error. The checks
 * are the running engine's: the same loading code, and the service-options and template-block schemas of
 * the sinks the engine config names (Herald's built-in sinks without one, which it says).
 */
export function configValidateCommand(configMap: string, options: { secret?: string; config?: string; output: 'text' | 'json' }, io: Io): Promise<ExitCode> {
  return guarded(io, async () => {
    const schemas = await sinkSchemas(options.config);
    const serviceTypes = [...schemas.deliveredServiceTypes].sort();
    if (schemas.engineConfig === undefined && options.output !== 'json') {
      io.stderr.write(`herald: no engine config (herald.yaml): services are checked against Herald's built-in sinks (${serviceTypes.join(', ')}); give --config to check against the sinks your engine loads\n`);
    }
    const { config, issues } = loadNotificationConfig({ configMap, ...(options.secret ? { secret: options.secret } : {}) }, schemas);
    const valid = config !== undefined;
    if (options.output === 'json') {
      io.stdout.write(`${JSON.stringify({ valid, issues, sinks: { engineConfig: schemas.engineConfig ?? null, serviceTypes } }, null, 2)}\n`);
    } else {
      for (const issue of issues) io.stdout.write(`${formatIssue(issue)}\n`);
      if (config) {
        io.stdout.write(
          `${configMap === '-' ? 'ConfigMap' : configMap}: valid (${config.triggers.size} trigger(s), ${config.templates.size} template(s), ${config.services.size} service(s), ${config.subscriptions.length} subscription(s))\n`,
        );
      } else {
        io.stdout.write(`${issues.filter((i) => i.severity === 'error').length} error(s)\n`);
      }
    }
    return valid ? ExitCode.ok : ExitCode.failure;
  });
}
