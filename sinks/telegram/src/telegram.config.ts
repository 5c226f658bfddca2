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
}, 'must be an absolute http or https URL (e.g. https://api.telegram.org)');

/** Options of one `service.telegram[.<name>]` entry: Argo's `token`, plus Herald's `apiURL` and `timeout`. */
export const telegramServiceConfigSchema = z.strictObject({
  /** Bot token from @BotFather (`123456:ABC…`), usually `$telegram-token` from the notifications Secret. */
  token: secret(z.string().min(1, 'is required (a bot token, usually $telegram-token)')),
  /** Herald: base URL of the Bot API (a local Bot API server, a proxy, a test server). */
  apiURL: unsetIfNull(httpUrl.default('https://api.telegram.org')),
  /** Herald: bound on one API call. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(bounded().optional()),
});

export type TelegramServiceConfig = z.output<typeof telegramServiceConfigSchema>;
export type TelegramServiceConfigInput = z.input<typeof telegramServiceConfigSchema>;

/** Options of the telegram plugin itself (`plugins[i].options` in herald.yaml). */
export const telegramPluginConfigSchema = z.strictObject({
  /** Bound on one API call for services that set no `timeout`. */
  timeout: bounded().default(10_000),
});

export type TelegramPluginConfig = z.output<typeof telegramPluginConfigSchema>;

