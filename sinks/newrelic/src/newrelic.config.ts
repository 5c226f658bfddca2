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
}, 'must be an absolute http or https URL (e.g. https://api.newrelic.com)');

/** Options of one `service.newrelic[.<name>]` entry: Argo's newrelic options (transport ones included), plus Herald's `timeout`. */
export const newrelicServiceConfigSchema = z.strictObject({
  /** A User API key (`NRAK-…`), sent as `X-Api-Key`, usually `$newrelic-apiKey`. */
  apiKey: secret(z.string().min(1, 'is required (a User API key, usually $newrelic-apiKey)')),
  /** Base URL of the REST API (`https://api.eu.newrelic.com` for the EU region); a trailing slash is dropped, as Argo does. */
  apiURL: unsetIfNull(httpUrl.default('https://api.newrelic.com')),
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

export type NewrelicServiceConfig = z.output<typeof newrelicServiceConfigSchema>;
export type NewrelicServiceConfigInput = z.input<typeof newrelicServiceConfigSchema>;

/** Options of the newrelic plugin itself (`plugins[i].options` in herald.yaml). */
export const newrelicPluginConfigSchema = z.strictObject({
  /** Bound on one request for services that set no `timeout`. */
  timeout: bounded().default(10_000),
});

export type NewrelicPluginConfig = z.output<typeof newrelicPluginConfigSchema>;

/**
 * The `newrelic` block of a `template.<name>` entry, Argo's fields, template text until rendered. Argo
 * defaults `revision`, `changelog` and `user` to Argo CD's sync revision and its commit's message and author.
 */
export const newrelicTemplateSchema = z.strictObject({
  revision: z.string().optional(),
  changelog: z.string().optional(),
  description: z.string().optional(),
  user: z.string().optional(),
});
