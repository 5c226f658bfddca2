import { durationSchema, secret, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

// YAML writes an empty option (`apiURL:` with nothing after it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

const bounded = () => durationSchema().refine((ms) => ms > 0 && ms <= HOUR, 'must be longer than 0 and at most 1h');

const httpUrl = z.string().refine((value) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be an absolute http or https URL (e.g. https://api.pushover.net/1)');

/** Options of one `service.pushover[.<name>]` entry: Argo's `token`, plus Herald's `apiURL` and `timeout`. */
export const pushoverServiceConfigSchema = z.strictObject({
  /**
   * The application's API token, usually `$pushover-token`. Checked as Argo's client checks it (30 letters
   * and digits), at config load instead of at every send.
   */
  token: secret(z.string().regex(/^[A-Za-z0-9]{30}$/, 'must be a Pushover application token (30 letters and digits, usually $pushover-token)')),
  /** Herald: base URL of the API; `/messages.json` is appended. */
  apiURL: unsetIfNull(httpUrl.default('https://api.pushover.net/1')),
  /** Herald: bound on one request. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(bounded().optional()),
});

export type PushoverServiceConfig = z.output<typeof pushoverServiceConfigSchema>;
export type PushoverServiceConfigInput = z.input<typeof pushoverServiceConfigSchema>;

/** Options of the pushover plugin itself (`plugins[i].options` in herald.yaml). */
export const pushoverPluginConfigSchema = z.strictObject({
  /** Bound on one request for services that set no `timeout`. */
  timeout: bounded().default(10_000),
});

export type PushoverPluginConfig = z.output<typeof pushoverPluginConfigSchema>;
