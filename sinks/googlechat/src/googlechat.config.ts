import { z } from '@herald/plugin-sdk';
import { httpPluginConfigSchema, transportOptionsShape, webhookUrlsSchema, type HttpPluginConfig } from '@herald/plugin-http';

/**
 * Options of one `service.googlechat[.<name>]` entry: Argo's googlechat service options (its HTTP transport
 * options included), plus Herald's `timeout`. The webhook URLs carry their key and token: secrets.
 */
export const googleChatServiceConfigSchema = z.strictObject({
  /** Recipient name → a space's incoming webhook URL: a subscription's recipient picks the URL. */
  webhooks: webhookUrlsSchema('the incoming webhook URL of the space'),
  ...transportOptionsShape,
});

export type GoogleChatServiceConfig = z.output<typeof googleChatServiceConfigSchema>;
export type GoogleChatServiceConfigInput = z.input<typeof googleChatServiceConfigSchema>;

/** Options of the googlechat plugin itself (`plugins[i].options` in herald.yaml): the request bound for services that set no `timeout`. */
export const googleChatPluginConfigSchema = httpPluginConfigSchema;

export type GoogleChatPluginConfig = HttpPluginConfig;

/**
 * The `googlechat` block of a `template.<name>` entry, Argo's fields, all template text: `cards` (legacy)
 * and `cardsV2` render to YAML or JSON lists of cards; `threadKey` names the thread to reply in.
 */
export const googleChatTemplateSchema = z.strictObject({
  cards: z.string().optional(),
  cardsV2: z.string().optional(),
  threadKey: z.string().optional(),
});
