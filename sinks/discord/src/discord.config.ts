import { durationSchema, secret, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

// YAML writes an empty option (`webhooks:` with nothing under it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

const bounded = (maxMs: number) => durationSchema().refine((ms) => ms > 0 && ms <= maxMs, `must be longer than 0 and at most ${maxMs / HOUR}h`);

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http or https URL (the webhook URL Discord gave, https://discord.com/api/webhooks/<id>/<token>)');

/**
 * Options of one `service.discord[.<name>]` entry (Argo has no discord service; the options follow its
 * googlechat service's), plus Herald's `timeout`. A webhook URL carries its token: secrets.
 */
export const discordServiceConfigSchema = z.strictObject({
  /** Recipient name → a channel's webhook URL: a subscription's recipient picks the URL. */
  webhooks: unsetIfNull(z.record(z.string(), secret(httpUrl)).default({})),
  /** Skip TLS certificate verification for this service only. */
  insecureSkipVerify: unsetIfNull(z.boolean().default(false)),
  /** Argo transport option: most connections open to one origin (0: no limit). */
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

export type DiscordServiceConfig = z.output<typeof discordServiceConfigSchema>;
export type DiscordServiceConfigInput = z.input<typeof discordServiceConfigSchema>;

/** Options of the discord plugin itself (`plugins[i].options` in herald.yaml). */
export const discordPluginConfigSchema = z.strictObject({
  /** Bound on one request for services that set no `timeout`. */
  timeout: bounded(HOUR).default(10_000),
});

export type DiscordPluginConfig = z.output<typeof discordPluginConfigSchema>;

/**
 * The `discord` block of a `template.<name>` entry, all template text: `content` (default: the `message`),
 * `embeds` rendering to a JSON list of embeds, and the `username` and `avatarUrl` the message is posted under.
 */
export const discordTemplateSchema = z.strictObject({
  content: z.string().optional(),
  embeds: z.string().optional(),
  username: z.string().optional(),
  avatarUrl: z.string().optional(),
});
