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
}, 'must be an absolute http or https URL (e.g. https://webexapis.com)');

/** Options of one `service.webex[.<name>]` entry: Argo's webex options (transport ones included), plus Herald's `timeout`. */
export const webexServiceConfigSchema = z.strictObject({
  /** A bot's access token, usually `$webex-token` from the notifications Secret. */
  token: secret(z.string().min(1, 'is required (a bot access token, usually $webex-token)')),
  /** Base URL of the API; `/v1/messages` is appended (a trailing slash is dropped, as Argo does). */
  apiURL: unsetIfNull(httpUrl.default('https://webexapis.com')),
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

export type WebexServiceConfig = z.output<typeof webexServiceConfigSchema>;
export type WebexServiceConfigInput = z.input<typeof webexServiceConfigSchema>;

/** Options of the webex plugin itself (`plugins[i].options` in herald.yaml). */
export const webexPluginConfigSchema = z.strictObject({
  /** Bound on one request for services that set no `timeout`. */
  timeout: bounded().default(10_000),
});

export type WebexPluginConfig = z.output<typeof webexPluginConfigSchema>;
