import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { HeraldError } from '@herald/plugin-sdk';
import { ConfigError, engineConfigSchema, inspectPlugins, KernelErrorCodes, loadEngineConfig, ON_CHANGE_ONLY_BY_DEFAULT, onChangeOnly, resolveEngineConfigPath, type EngineConfig } from '@herald/core-kernel';

/** The sinks Herald ships: what a notification config is checked against when there is no engine config. */
export const BUILT_IN_SINKS = ['@herald/sink-webhook', '@herald/sink-slack', '@herald/sink-email', '@herald/sink-teams', '@herald/sink-teams-workflows', '@herald/sink-googlechat', '@herald/sink-discord', '@herald/sink-mattermost', '@herald/sink-telegram', '@herald/sink-webex', '@herald/sink-pushover', '@herald/sink-grafana', '@herald/sink-newrelic', '@herald/sink-rocketchat', '@herald/sink-alertmanager', '@herald/sink-pagerdutyv2', '@herald/sink-opsgenie', '@herald/sink-pagerduty', '@herald/sink-nats', '@herald/sink-awssqs', '@herald/sink-github', '@herald/sink-gcppubsub'] as const;

/** An engine config listing Herald's built-in sinks with their default options: what is used without a herald.yaml. */
export function builtInSinksConfig(): EngineConfig {
  return engineConfigSchema.parse({ plugins: BUILT_IN_SINKS.map((name) => ({ name })) });
}

/** The schemas the running engine checks a notification config with, and where they came from. */
export interface SinkSchemas {
  serviceSchemas: ReadonlyMap<string, z.ZodType>;
  templateSchemas: ReadonlyMap<string, z.ZodType>;
  /** Service types the sinks deliver; a `service.*` key of another type is refused, as the engine refuses it. */
  deliveredServiceTypes: ReadonlySet<string>;
  /** The engine config whose sink plugins gave them, or undefined for Herald's built-in sinks. */
  engineConfig: string | undefined;
  /**
   * Why objects are evaluated only when they change, by the engine config's sources (without one, what the
   * Kubernetes source does by default): for `herald config validate` to warn about a condition on the clock.
   */
  evaluatedOnChangeOnly: string | undefined;
}

/**
 * Loads the sink plugins named in the engine config (`--config`, $HERALD_CONFIG or ./herald.yaml), as
 * `herald run` would, for their service-options and template-block schemas; without an engine config,
 * Herald's built-in sinks. Throws a HeraldError when the engine config or a plugin cannot be loaded.
 */
export async function sinkSchemas(configPath: string | undefined): Promise<SinkSchemas> {
  const path = resolveEngineConfigPath({ explicit: configPath });
  let config;
  try {
    config = path === undefined ? builtInSinksConfig() : loadEngineConfig({ path });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new HeraldError(err.code, `the engine config ${path} names the sinks, and it is not valid (herald config check): ${err.message}`, { cause: err });
  }
  const { issues, serviceSchemas, templateSchemas, serviceTypes } = await inspectPlugins(config, path === undefined ? process.cwd() : dirname(resolve(path)));
  if (issues.length) throw new HeraldError(KernelErrorCodes.pluginConfig, `the sink plugins of ${path ?? "Herald's built-in sinks"} cannot be loaded (herald config check):\n  ${issues.join('\n  ')}`);
  // Service types a sink outside Herald delivers are delivered too, as `herald run` counts them.
  const delivered = new Set([...serviceTypes, ...config.externalSinks.map((s) => s.serviceType)]);
  return { serviceSchemas, templateSchemas, deliveredServiceTypes: delivered, engineConfig: path, evaluatedOnChangeOnly: path === undefined ? ON_CHANGE_ONLY_BY_DEFAULT : onChangeOnly(config) };
}
