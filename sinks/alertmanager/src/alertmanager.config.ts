import { secret, z } from '@herald/plugin-sdk';
import { transportOptionsShape, unsetIfNull } from '@herald/plugin-http';

/**
 * Options of one `service.alertmanager[.<name>]` entry: Argo's alertmanager options, unchanged (its HTTP
 * transport options included). `timeout` is whole seconds, as Argo reads it.
 */
export const alertmanagerServiceConfigSchema = z.strictObject({
  /** `host:port` of each Alertmanager; every one gets the alert. Argo's default: one on 127.0.0.1:9093. */
  targets: unsetIfNull(z.array(z.string().min(1, 'must be host:port')).default(['127.0.0.1:9093'])).transform((targets) => (targets.length ? targets : ['127.0.0.1:9093'])),
  scheme: unsetIfNull(z.enum(['http', 'https']).default('http')),
  /** Path of the alerts endpoint, Alertmanager's v2 API unless a proxy in front serves it elsewhere. */
  apiPath: unsetIfNull(z.string().startsWith('/', 'must start with /').default('/api/v2/alerts')),
  /** Takes precedence over `bearerToken` when both are set, as in Argo. */
  basicAuth: unsetIfNull(z.strictObject({ username: z.string(), password: secret(z.string()) }).optional()),
  bearerToken: unsetIfNull(secret(z.string()).optional()),
  ...transportOptionsShape,
  /** Seconds each target has to answer (Argo: an integer, default 3), not a duration as in Argo's other services. */
  timeout: unsetIfNull(z.number().int().nonnegative().default(3)).transform((seconds) => (seconds === 0 ? 3 : seconds)),
});

export type AlertmanagerServiceConfig = z.output<typeof alertmanagerServiceConfigSchema>;
export type AlertmanagerServiceConfigInput = z.input<typeof alertmanagerServiceConfigSchema>;

/** The alertmanager plugin has no options of its own. */
export const alertmanagerPluginConfigSchema = z.strictObject({});

/** Argo's default `generatorURL`: where an Argo CD Application's source lives. */
export const DEFAULT_GENERATOR_URL = '{{.app.spec.source.repoURL}}';

/**
 * The `alertmanager` block of a `template.<name>` entry, Argo's fields: every string is template text until
 * rendered. Argo requires at least one label; `alertname` defaults to the template's name.
 */
export const alertmanagerTemplateSchema = z.strictObject({
  labels: z.record(z.string(), z.string()).refine((labels) => Object.keys(labels).length > 0, 'at least one label is required'),
  annotations: z.record(z.string(), z.string()).optional(),
  /** Argo's default, for an empty or absent one: the Argo CD Application's repository URL. */
  generatorURL: z
    .string()
    .optional()
    .transform((url) => url || DEFAULT_GENERATOR_URL),
  startsAt: z.string().optional(),
});
