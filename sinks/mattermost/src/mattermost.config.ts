import { secret, z } from '@herald/plugin-sdk';
import { httpPluginConfigSchema, transportOptionsShape, httpUrlSchema, type HttpPluginConfig } from '@herald/plugin-http';

/**
 * Options of one `service.mattermost[.<name>]` entry: Argo's mattermost service options (its HTTP transport
 * options included), plus Herald's `timeout`.
 */
export const mattermostServiceConfigSchema = z.strictObject({
  /** The Mattermost server; posts go to `<apiURL>/api/v4/posts`. */
  apiURL: httpUrlSchema('the Mattermost server, e.g. https://mattermost.example.com'),
  /** A bot or personal access token, usually `$mattermost-token` from the Secret. */
  token: secret(z.string().min(1, 'is required (a bot or personal access token, usually $mattermost-token)')),
  ...transportOptionsShape,
});

export type MattermostServiceConfig = z.output<typeof mattermostServiceConfigSchema>;
export type MattermostServiceConfigInput = z.input<typeof mattermostServiceConfigSchema>;

/** Options of the mattermost plugin itself (`plugins[i].options` in herald.yaml): the request bound for services that set no `timeout`. */
export const mattermostPluginConfigSchema = httpPluginConfigSchema;

export type MattermostPluginConfig = HttpPluginConfig;

/** The `mattermost` block of a `template.<name>` entry, Argo's one field: template text rendering to a JSON list of attachments. */
export const mattermostTemplateSchema = z.strictObject({
  attachments: z.string().optional(),
});
