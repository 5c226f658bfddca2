import { durationSchema, secret, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

// YAML writes an empty option (`token:` with nothing after it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

const bounded = (maxMs: number) => durationSchema().refine((ms) => ms > 0 && ms <= maxMs, `must be longer than 0 and at most ${maxMs / HOUR}h`);

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http or https URL (the Mattermost server, e.g. https://mattermost.example.com)');

/**
 * Options of one `service.mattermost[.<name>]` entry: Argo's mattermost service options (its HTTP transport
 * options included), plus Herald's `timeout`.
 */
export const mattermostServiceConfigSchema = z.strictObject({
  /** The Mattermost server; posts go to `<apiURL>/api/v4/posts`. */
  apiURL: httpUrl,
  /** A bot or personal access token, usually `$mattermost-token` from the Secret. */
  token: secret(z.string().min(1, 'is required (a bot or personal access token, usually $mattermost-token)')),
  /** Skip TLS certificate verification for this service only. */
  insecureSkipVerify: unsetIfNull(z.boolean().default(false)),
  /** Argo transport option: most connections open to the server (0: no limit). */
  maxConnsPerHost: unsetIfNull(z.number().int().nonnegative().default(0)),
  /** Argo transport option: how long an idle kept-alive connection stays open. */
  idleConnTimeout: unsetIfNull(bounded(HOUR).optional()),
  /** Argo transport option; accepted for compatibility, no effect (connections are pooled per service). */
  maxIdleConns: unsetIfNull(z.number().int().nonnegative().optional()),
  /** Argo transport option; accepted for compatibility, no effect. */
  maxIdleConnsPerHost: unsetIfNull(z.number().int().nonnegative().optional()),
  /** Herald: bound on one request, from connecting to the end of the response. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(bounded(HOUR).optional()),
});

export type MattermostServiceConfig = z.output<typeof mattermostServiceConfigSchema>;
export type MattermostServiceConfigInput = z.input<typeof mattermostServiceConfigSchema>;

/** Options of the mattermost plugin itself (`plugins[i].options` in herald.yaml). */
export const mattermostPluginConfigSchema = z.strictObject({
  /** Bound on one request for services that set no `timeout`. */
  timeout: bounded(HOUR).default(10_000),
});

export type MattermostPluginConfig = z.output<typeof mattermostPluginConfigSchema>;

/** The `mattermost` block of a `template.<name>` entry, Argo's one field: template text rendering to a JSON list of attachments. */
export const mattermostTemplateSchema = z.strictObject({
  attachments: z.string().optional(),
});
