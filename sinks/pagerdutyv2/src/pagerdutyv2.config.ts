import { durationSchema, secret, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

// YAML writes an empty option (`apiURL:` with nothing after it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http or https URL (e.g. https://events.pagerduty.com)');

/**
 * Options of one `service.pagerdutyv2[.<name>]` entry: Argo's `serviceKeys`, plus Herald's `apiURL` and
 * `timeout` (Argo's client always talks to events.pagerduty.com).
 */
export const pagerdutyv2ServiceConfigSchema = z.strictObject({
  /** Routing (integration) key per recipient name: `subscribe.<trigger>.pagerdutyv2: <name>` picks one. */
  serviceKeys: z.record(z.string(), secret(z.string().min(1, 'is required (an integration key, usually $pagerduty-key)'))),
  /** Herald: origin of the Events API, `/v2/enqueue` appended (EU accounts: https://events.eu.pagerduty.com). */
  apiURL: unsetIfNull(httpUrl.default('https://events.pagerduty.com')),
  /** Herald: bound on one request. */
  timeout: unsetIfNull(durationSchema().refine((ms) => ms > 0 && ms <= HOUR, 'must be longer than 0 and at most 1h').default(10_000)),
});

export type PagerDutyV2ServiceConfig = z.output<typeof pagerdutyv2ServiceConfigSchema>;
export type PagerDutyV2ServiceConfigInput = z.input<typeof pagerdutyv2ServiceConfigSchema>;

/** The pagerdutyv2 plugin has no options of its own. */
export const pagerdutyv2PluginConfigSchema = z.strictObject({});

/** The `pagerdutyv2` block of a `template.<name>` entry, Argo's fields, each template text until rendered. */
export const pagerdutyv2TemplateSchema = z.strictObject({
  summary: z.string().optional(),
  severity: z.string().optional(),
  source: z.string().optional(),
  component: z.string().optional(),
  group: z.string().optional(),
  class: z.string().optional(),
  url: z.string().optional(),
  dedupKey: z.string().optional(),
});
