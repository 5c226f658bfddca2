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

/** Argo's default `revision`: the revision an Argo CD Application last synced to. */
export const DEFAULT_REVISION = '{{.app.status.operationState.syncResult.revision}}';

/**
 * The `newrelic` block of a `template.<name>` entry, Argo's fields, template text until rendered.
 * `revision` defaults to Argo's (the Application's sync revision). Argo also defaults `changelog` and
 * `user` to the commit's message and author, read through its repository service, which Herald lacks.
 */
export const newrelicTemplateSchema = z.strictObject({
  revision: z.string().default(DEFAULT_REVISION),
  changelog: z.string().optional(),
  description: z.string().optional(),
  user: z.string().optional(),
});
