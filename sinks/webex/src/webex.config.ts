import { secret, z } from '@herald/plugin-sdk';
import { httpPluginConfigSchema, httpUrlSchema, transportOptionsShape, unsetIfNull, type HttpPluginConfig } from '@herald/plugin-http';

/** Options of one `service.webex[.<name>]` entry: Argo's webex options (transport ones included), plus Herald's `timeout`. */
export const webexServiceConfigSchema = z.strictObject({
  /** A bot's access token, usually `$webex-token` from the notifications Secret. */
  token: secret(z.string().min(1, 'is required (a bot access token, usually $webex-token)')),
  /** Base URL of the API; `/v1/messages` is appended (a trailing slash is dropped, as Argo does). */
  apiURL: unsetIfNull(httpUrlSchema('e.g. https://webexapis.com').default('https://webexapis.com')),
  ...transportOptionsShape,
});

export type WebexServiceConfig = z.output<typeof webexServiceConfigSchema>;
export type WebexServiceConfigInput = z.input<typeof webexServiceConfigSchema>;

/** Options of the webex plugin itself (`plugins[i].options` in herald.yaml): the request bound for services that set no `timeout`. */
export const webexPluginConfigSchema = httpPluginConfigSchema;

export type WebexPluginConfig = HttpPluginConfig;
