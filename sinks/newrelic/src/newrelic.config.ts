import { secret, z } from '@herald/plugin-sdk';
import { httpPluginConfigSchema, httpUrlSchema, transportOptionsShape, unsetIfNull, type HttpPluginConfig } from '@herald/plugin-http';

/** Options of one `service.newrelic[.<name>]` entry: Argo's newrelic options (transport ones included), plus Herald's `timeout`. */
export const newrelicServiceConfigSchema = z.strictObject({
  /** A User API key (`NRAK-…`), sent as `X-Api-Key`, usually `$newrelic-apiKey`. */
  apiKey: secret(z.string().min(1, 'is required (a User API key, usually $newrelic-apiKey)')),
  /** Base URL of the REST API (`https://api.eu.newrelic.com` for the EU region); a trailing slash is dropped, as Argo does. */
  apiURL: unsetIfNull(httpUrlSchema('e.g. https://api.newrelic.com').default('https://api.newrelic.com')),
  ...transportOptionsShape,
});

export type NewrelicServiceConfig = z.output<typeof newrelicServiceConfigSchema>;
export type NewrelicServiceConfigInput = z.input<typeof newrelicServiceConfigSchema>;

/** Options of the newrelic plugin itself (`plugins[i].options` in herald.yaml): the request bound for services that set no `timeout`. */
export const newrelicPluginConfigSchema = httpPluginConfigSchema;

export type NewrelicPluginConfig = HttpPluginConfig;

/**
 * The `newrelic` block of a `template.<name>` entry, Argo's fields, template text until rendered. Argo
 * defaults `revision`, `changelog` and `user` to Argo CD's sync revision and its commit's message and author.
 */
export const newrelicTemplateSchema = z.strictObject({
  revision: z.string().optional(),
  changelog: z.string().optional(),
  description: z.string().optional(),
  user: z.string().optional(),
});
