import { secret, z } from '@herald/plugin-sdk';
import { boundedDuration, httpPluginConfigSchema, httpUrlSchema, unsetIfNull, type HttpPluginConfig } from '@herald/plugin-http';

/** Options of one `service.telegram[.<name>]` entry: Argo's `token`, plus Herald's `apiURL` and `timeout`. */
export const telegramServiceConfigSchema = z.strictObject({
  /** Bot token from @BotFather (`123456:ABC…`), usually `$telegram-token` from the notifications Secret. */
  token: secret(z.string().min(1, 'is required (a bot token, usually $telegram-token)')),
  /** Herald: base URL of the Bot API (a local Bot API server, a proxy, a test server). */
  apiURL: unsetIfNull(httpUrlSchema('e.g. https://api.telegram.org').default('https://api.telegram.org')),
  /** Herald: bound on one API call. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(boundedDuration().optional()),
});

export type TelegramServiceConfig = z.output<typeof telegramServiceConfigSchema>;
export type TelegramServiceConfigInput = z.input<typeof telegramServiceConfigSchema>;

/** Options of the telegram plugin itself (`plugins[i].options` in herald.yaml): the request bound for services that set no `timeout`. */
export const telegramPluginConfigSchema = httpPluginConfigSchema;

export type TelegramPluginConfig = HttpPluginConfig;

