import { durationSchema, secret, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

// YAML writes an empty option (`apiURL:` with nothing after it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

const bounded = () => durationSchema().refine((ms) => ms > 0 && ms <= HOUR, 'must be longer than 0 and at most 1h');

const httpUrl = z.string().refine((value) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be an absolute http or https URL (e.g. https://grafana.example.com/api)');

/** Options of one `service.grafana[.<name>]` entry: Argo's grafana options (transport ones included), plus Herald's `timeout`. */
export const grafanaServiceConfigSchema = z.strictObject({
  /** Grafana's HTTP API, e.g. `https://grafana.example.com/api`; `/annotations` is joined to its path. */
  apiUrl: httpUrl,
  /** A service account token (or legacy API key) allowed to create annotations, usually `$grafana-api-key`. */
  apiKey: secret(z.string().min(1, 'is required (a service account token, usually $grafana-api-key)')),
  /** Skip TLS certificate verification for this service only. */
  insecureSkipVerify: unsetIfNull(z.boolean().default(false)),
  /** Argo transport options; accepted for compatibility, no effect (connections are pooled per sink). */
  maxIdleConns: unsetIfNull(z.number().int().nonnegative().optional()),
  maxIdleConnsPerHost: unsetIfNull(z.number().int().nonnegative().optional()),
  maxConnsPerHost: unsetIfNull(z.number().int().nonnegative().optional()),
  idleConnTimeout: unsetIfNull(bounded().optional()),
  /** Herald: bound on one request. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(bounded().optional()),
});

export type GrafanaServiceConfig = z.output<typeof grafanaServiceConfigSchema>;
export type GrafanaServiceConfigInput = z.input<typeof grafanaServiceConfigSchema>;

/** Options of the grafana plugin itself (`plugins[i].options` in herald.yaml). */
export const grafanaPluginConfigSchema = z.strictObject({
  /** Bound on one request for services that set no `timeout`. */
  timeout: bounded().default(10_000),
});

export type GrafanaPluginConfig = z.output<typeof grafanaPluginConfigSchema>;
