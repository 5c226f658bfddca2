import { secret, z } from '@herald/plugin-sdk';
import { boundedDuration, httpUrlSchema, unsetIfNull } from '@herald/plugin-http';

/**
 * Options of one `service.pagerdutyv2[.<name>]` entry: Argo's `serviceKeys`, plus Herald's `apiURL` and
 * `timeout` (Argo's client always talks to events.pagerduty.com).
 */
export const pagerdutyv2ServiceConfigSchema = z.strictObject({
  /** Routing (integration) key per recipient name: `subscribe.<trigger>.pagerdutyv2: <name>` picks one. */
  serviceKeys: z.record(z.string(), secret(z.string().min(1, 'is required (an integration key, usually $pagerduty-key)'))),
  /** Herald: origin of the Events API, `/v2/enqueue` appended (EU accounts: https://events.eu.pagerduty.com). */
  apiURL: unsetIfNull(httpUrlSchema('e.g. https://events.pagerduty.com').default('https://events.pagerduty.com')),
  /** Herald: bound on one request. */
  timeout: unsetIfNull(boundedDuration().default(10_000)),
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
