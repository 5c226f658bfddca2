import { dirname, resolve } from 'node:path';
import { ConfigError, inspectPlugins, KernelErrorCodes, loadEngineConfig, onChangeOnly, resolveEngineConfigPath } from '@herald/core-kernel';
import { redactServerUrls } from '@herald/core-bus';
import { NotificationConfigErrorCodes } from '@herald/core-notification-config';
import { ExitCode } from '../exit-codes.ts';
import { print, printError, type Output } from '../output.ts';
import { formatIssue, loadNotificationConfig } from './notification-inputs.ts';

const redacted = '[redacted]';

/**
 * `herald config check`: validate herald.yaml (`-c`, $HERALD_CONFIG, else ./herald.yaml, as `herald run` reads it) with its environment overrides, and load every plugin to
 * validate its options, without starting anything. A notification config read from files
 * (`notifications.files`) is loaded too, as the engine loads it: services and template blocks checked by the sinks' schemas.
 * Prints the result with defaults filled in and secrets redacted, and that notification config's warnings (on
 * stderr, or `warnings` in the JSON document), as `herald run` logs them.
 */
export async function configCheckCommand(options: { config?: string }, out: Output): Promise<ExitCode> {
  // The file `herald run` would read: the same resolution, so what is checked is what runs.
  const path = resolveEngineConfigPath({ explicit: options.config });
  let config;
  try {
    config = loadEngineConfig(path === undefined ? {} : { path });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    printError(out, { code: err.code, message: err.message, issues: err.issues });
    return ExitCode.failure;
  }
  const inspected = await inspectPlugins(config, path ? dirname(resolve(path)) : process.cwd());
  // Types a sink outside Herald delivers count as delivered; one a listed plugin delivers too is refused, as `herald run` does.
  const { plugins, serviceSchemas, templateSchemas, issues, serviceTypes } = inspected;
  if (issues.length) {
    printError(out, { code: KernelErrorCodes.pluginConfig, message: `plugins cannot start:\n  ${issues.join('\n  ')}`, issues });
    return ExitCode.failure;
  }
  const files = config.notifications.files;
  let notifications = '';
  let warnings: string[] = [];
  if (files) {
    const evaluatedOnChangeOnly = onChangeOnly(config);
    const loaded = loadNotificationConfig(
      { configMap: files.configMap, ...(files.secret ? { secret: files.secret } : {}) },
      { serviceSchemas, templateSchemas, deliveredServiceTypes: serviceTypes, ...(evaluatedOnChangeOnly ? { onChangeOnly: evaluatedOnChangeOnly } : {}) },
    );
    const errors = loaded.issues.filter((i) => i.severity === 'error').map(formatIssue);
    warnings = loaded.issues.filter((i) => i.severity === 'warning').map(formatIssue);
    if (out.format !== 'json') for (const warning of warnings) out.stderr.write(`${warning}\n`);
    if (!loaded.config) {
      printError(out, { code: NotificationConfigErrorCodes.invalid, message: `the notification config has errors:\n  ${errors.join('\n  ')}`, issues: [...errors, ...warnings] });
      return ExitCode.failure;
    }
    notifications = `; notification config ${files.configMap}: ${loaded.config.triggers.size} trigger(s), ${loaded.config.templates.size} template(s), ${loaded.config.services.size} service(s)`;
  }
  const auth = config.nats.auth && {
    ...config.nats.auth,
    ...(config.nats.auth.token ? { token: redacted } : {}),
    ...(config.nats.auth.password ? { password: redacted } : {}),
  };
  const shown = {
    ...config,
    nats: { ...config.nats, servers: config.nats.servers.map(redactServerUrls), ...(auth ? { auth } : {}) },
    plugins: config.plugins.map((entry, i) => ({ ...entry, id: plugins[i]!.id, kind: plugins[i]!.kind, options: plugins[i]!.options })),
  };
  print(out, `${path ?? 'engine config'}: valid (${plugins.length} plugin(s): ${plugins.map((p) => p.id).join(', ') || 'none'}; roles ${config.roles.join(', ')}${notifications})`, {
    valid: true,
    config: shown,
    ...(warnings.length ? { warnings } : {}),
  });
  return ExitCode.ok;
}
