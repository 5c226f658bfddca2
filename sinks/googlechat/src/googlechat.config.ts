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
}, 'must be an absolute http or https URL (the incoming webhook URL of the space)');

/**
 * Options of one `service.googlechat[.<name>]` entry: Argo's googlechat service options (its HTTP transport
 * options included), plus Herald's `timeout`. The webhook URLs carry their key and token: secrets.
 */
export const googleChatServiceConfigSchema = z.strictObject({
  /** Recipient name → a space's incoming webhook URL: a subscription's recipient picks the URL. */
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

export type GoogleChatServiceConfig = z.output<typeof googleChatServiceConfigSchema>;
export type GoogleChatServiceConfigInput = z.input<typeof googleChatServiceConfigSchema>;

/** Options of the googlechat plugin itself (`plugins[i].options` in herald.yaml). */
export const googleChatPluginConfigSchema = z.strictObject({
  /** Bound on one request for services that set no `timeout`. */
  timeout: bounded(HOUR).default(10_000),
});

export type GoogleChatPluginConfig = z.output<typeof googleChatPluginConfigSchema>;

/**
 * The `googlechat` block of a `template.<name>` entry, Argo's fields, all template text: `cards` (legacy)
 * and `cardsV2` render to YAML or JSON lists of cards; `threadKey` names the thread to reply in.
 */
export const googleChatTemplateSchema = z.strictObject({
  cards: z.string().optional(),
  cardsV2: z.string().optional(),
  threadKey: z.string().optional(),
});
