import { secret, z } from '@herald/plugin-sdk';
import { boundedDuration, httpPluginConfigSchema, httpUrlSchema, unsetIfNull, type HttpPluginConfig } from '@herald/plugin-http';

/** Options of one `service.rocketchat[.<name>]` entry: Argo's rocketchat options, plus Herald's `timeout`. */
export const rocketchatServiceConfigSchema = z.strictObject({
  /** The Rocket.Chat server, e.g. `https://chat.example.com`; `/api/v1/…` is appended. */
  serverUrl: httpUrlSchema('e.g. https://chat.example.com'),
  /** The bot user's email (or username), to log in with. */
  email: z.string().min(1, 'is required (the bot user to log in as)'),
  /** The bot user's password, usually `$rocketchat-password`. */
  password: secret(z.string().min(1, 'is required (usually $rocketchat-password)')),
  /** Name the messages are shown under. */
  alias: unsetIfNull(z.string().optional()),
  /** `:emoji:` shown as the avatar; anything else is left out (with a warning), as Argo does. */
  icon: unsetIfNull(z.string().optional()),
  /** An http(s) image URL shown as the avatar; anything else is left out (with a warning), as Argo does. */
  avatar: unsetIfNull(z.string().optional()),
  /** Herald: bound on one request. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(boundedDuration().optional()),
});

export type RocketchatServiceConfig = z.output<typeof rocketchatServiceConfigSchema>;
export type RocketchatServiceConfigInput = z.input<typeof rocketchatServiceConfigSchema>;

/** Options of the rocketchat plugin itself (`plugins[i].options` in herald.yaml): the request bound for services that set no `timeout`. */
export const rocketchatPluginConfigSchema = httpPluginConfigSchema;

export type RocketchatPluginConfig = HttpPluginConfig;

/** The `rocketchat` block of a `template.<name>` entry: Argo's one field, template text rendering to a JSON list. */
export const rocketchatTemplateSchema = z.strictObject({
  attachments: z.string().optional(),
});
