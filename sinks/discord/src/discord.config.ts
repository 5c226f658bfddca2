import { z } from '@herald/plugin-sdk';
import { httpPluginConfigSchema, transportOptionsShape, webhookUrlsSchema, type HttpPluginConfig } from '@herald/plugin-http';

/**
 * Options of one `service.discord[.<name>]` entry (Argo has no discord service; the options follow its
 * googlechat service's), plus Herald's `timeout`. A webhook URL carries its token: secrets.
 */
export const discordServiceConfigSchema = z.strictObject({
  /** Recipient name → a channel's webhook URL: a subscription's recipient picks the URL. */
  webhooks: webhookUrlsSchema('the webhook URL Discord gave, https://discord.com/api/webhooks/<id>/<token>'),
  ...transportOptionsShape,
});

export type DiscordServiceConfig = z.output<typeof discordServiceConfigSchema>;
export type DiscordServiceConfigInput = z.input<typeof discordServiceConfigSchema>;

/** Options of the discord plugin itself (`plugins[i].options` in herald.yaml): the request bound for services that set no `timeout`. */
export const discordPluginConfigSchema = httpPluginConfigSchema;

export type DiscordPluginConfig = HttpPluginConfig;

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
