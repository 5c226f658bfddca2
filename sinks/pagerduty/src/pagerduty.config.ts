import { secret, z } from '@herald/plugin-sdk';
import { boundedDuration, httpUrlSchema, unsetIfNull } from '@herald/plugin-http';

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
  apiURL: unsetIfNull(httpUrlSchema('e.g. https://api.pagerduty.com').default('https://api.pagerduty.com')),
  /** Herald: bound on one request. */
  timeout: unsetIfNull(boundedDuration().default(10_000)),
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
