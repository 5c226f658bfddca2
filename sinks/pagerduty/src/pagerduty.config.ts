import { durationSchema, secret, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

// YAML writes an empty option (`from:` with nothing after it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http or https URL (e.g. https://api.pagerduty.com)');

/**
 * Options of one `service.pagerduty[.<name>]` entry: Argo's pagerduty options, plus Herald's `apiURL` and
 * `timeout` (Argo's client always talks to api.pagerduty.com).
 */
export const pagerdutyServiceConfigSchema = z.strictObject({
  /** REST API key (account or user token), usually `$pagerdutyToken`. */
  token: secret(z.string().min(1, 'is required (a REST API key, usually $pagerdutyToken)')),
  /** Email of a PagerDuty user in the account: the REST API requires it (`From` header) to create incidents. */
  from: unsetIfNull(z.string().optional()),
  /** Argo accepts it and uses the recipient; Herald uses it for a subscription that names no recipient. */
  serviceId: unsetIfNull(z.string().optional()),
  /** Herald: origin of the REST API (EU service region: https://api.eu.pagerduty.com). */
  apiURL: unsetIfNull(httpUrl.default('https://api.pagerduty.com')),
  /** Herald: bound on one request. */
  timeout: unsetIfNull(durationSchema().refine((ms) => ms > 0 && ms <= HOUR, 'must be longer than 0 and at most 1h').default(10_000)),
});

export type PagerDutyServiceConfig = z.output<typeof pagerdutyServiceConfigSchema>;
export type PagerDutyServiceConfigInput = z.input<typeof pagerdutyServiceConfigSchema>;

/** The pagerduty plugin has no options of its own. */
export const pagerdutyPluginConfigSchema = z.strictObject({});

/** The `pagerduty` block of a `template.<name>` entry, Argo's fields, each template text until rendered. */
export const pagerdutyTemplateSchema = z.strictObject({
  title: z.string().optional(),
  body: z.string().optional(),
  urgency: z.string().optional(),
  priorityId: z.string().optional(),
});
