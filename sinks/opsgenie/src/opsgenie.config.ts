import { secret, z } from '@herald/plugin-sdk';
import { boundedDuration, transportOptionsShape, unsetIfNull } from '@herald/plugin-http';

/**
 * Argo's `apiUrl` is a host (`api.opsgenie.com`, `api.eu.opsgenie.com`) that its client prefixes with
 * https://; a full http(s) URL is taken as it is (a proxy, a test server).
 */
const apiUrl = z.string().transform((value, ctx) => {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
  } catch {
    // Reported below.
  }
  ctx.addIssue({ code: 'custom', message: 'must be a host (api.opsgenie.com, api.eu.opsgenie.com) or an http(s) URL' });
  return z.NEVER;
});

/** Options of one `service.opsgenie[.<name>]` entry: Argo's opsgenie options (transport ones included), plus Herald's `timeout`. */
export const opsgenieServiceConfigSchema = z.strictObject({
  /** Host or URL of the API. Default: api.opsgenie.com (EU accounts: api.eu.opsgenie.com). */
  apiUrl: unsetIfNull(apiUrl.default('https://api.opsgenie.com/')),
  /** API key of an API integration per team: `subscribe.<trigger>.opsgenie: <team>` picks one. */
  apiKeys: z.record(z.string(), secret(z.string().min(1, 'is required (an API integration key, usually $opsgenie-key)'))),
  ...transportOptionsShape,
  /** Herald: bound on one request (the opsgenie plugin has no options, so no plugin-wide default). */
  timeout: unsetIfNull(boundedDuration().default(10_000)),
});

export type OpsgenieServiceConfig = z.output<typeof opsgenieServiceConfigSchema>;
export type OpsgenieServiceConfigInput = z.input<typeof opsgenieServiceConfigSchema>;

/** The opsgenie plugin has no options of its own. */
export const opsgeniePluginConfigSchema = z.strictObject({});

/** The `opsgenie` block of a `template.<name>` entry, Argo's fields; every string is template text until rendered. */
export const opsgenieTemplateSchema = z.strictObject({
  description: z.string().optional(),
  priority: z.string().optional(),
  alias: z.string().optional(),
  note: z.string().optional(),
  actions: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  details: z.record(z.string(), z.string()).optional(),
  entity: z.string().optional(),
  visibleTo: z.array(z.strictObject({ type: z.string(), id: z.string().optional(), name: z.string().optional(), username: z.string().optional() })).optional(),
  user: z.string().optional(),
});
