import { secret, z } from '@herald/plugin-sdk';
import { boundedDuration, httpPluginConfigSchema, httpUrlSchema, unsetIfNull, type HttpPluginConfig } from '@herald/plugin-http';

/** Options of one `service.pushover[.<name>]` entry: Argo's `token`, plus Herald's `apiURL` and `timeout`. */
export const pushoverServiceConfigSchema = z.strictObject({
  /**
   * The application's API token, usually `$pushover-token`. Checked as Argo's client checks it (30 letters
   * and digits), at config load instead of at every send.
   */
  token: secret(z.string().regex(/^[A-Za-z0-9]{30}$/, 'must be a Pushover application token (30 letters and digits, usually $pushover-token)')),
  /** Herald: base URL of the API; `/messages.json` is appended. */
  apiURL: unsetIfNull(httpUrlSchema('e.g. https://api.pushover.net/1').default('https://api.pushover.net/1')),
  /** Herald: bound on one request. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(boundedDuration().optional()),
});

export type PushoverServiceConfig = z.output<typeof pushoverServiceConfigSchema>;
export type PushoverServiceConfigInput = z.input<typeof pushoverServiceConfigSchema>;

/** Options of the pushover plugin itself (`plugins[i].options` in herald.yaml): the request bound for services that set no `timeout`. */
export const pushoverPluginConfigSchema = httpPluginConfigSchema;

export type PushoverPluginConfig = HttpPluginConfig;
