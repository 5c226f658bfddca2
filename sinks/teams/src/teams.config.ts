import { z } from '@herald/plugin-sdk';
import { httpPluginConfigSchema, transportOptionsShape, webhookUrlsSchema, type HttpPluginConfig } from '@herald/plugin-http';

/**
 * Options of one `service.teams[.<name>]` entry: Argo's teams service options (its HTTP transport options
 * included), plus Herald's `timeout`. The webhook URLs carry their credentials, so they are secrets.
 */
export const teamsServiceConfigSchema = z.strictObject({
  /** Recipient name → incoming webhook URL: a subscription's recipient picks the URL. */
  recipientUrls: webhookUrlsSchema('the incoming webhook URL Teams gave'),
  ...transportOptionsShape,
});

export type TeamsServiceConfig = z.output<typeof teamsServiceConfigSchema>;
export type TeamsServiceConfigInput = z.input<typeof teamsServiceConfigSchema>;

/** Options of the teams plugin itself (`plugins[i].options` in herald.yaml): the request bound for services that set no `timeout`. */
export const teamsPluginConfigSchema = httpPluginConfigSchema;

export type TeamsPluginConfig = HttpPluginConfig;

/**
 * The `teams` block of a `template.<name>` entry, Argo's fields, all template text: `facts`, `sections` and
 * `potentialAction` render to JSON lists; `template` renders to the whole request body.
 */
export const teamsTemplateSchema = z.strictObject({
  template: z.string().optional(),
  title: z.string().optional(),
  summary: z.string().optional(),
  text: z.string().optional(),
  themeColor: z.string().optional(),
  facts: z.string().optional(),
  sections: z.string().optional(),
  potentialAction: z.string().optional(),
});
