import { durationSchema, secret, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

// YAML writes an empty option (`recipientUrls:` with nothing under it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

const bounded = (maxMs: number) => durationSchema().refine((ms) => ms > 0 && ms <= maxMs, `must be longer than 0 and at most ${maxMs / HOUR}h`);

/**
 * Options of one `service.teams-workflows[.<name>]` entry: Argo's options (its HTTP transport options
 * included), plus Herald's `timeout`. The workflow URLs carry their signature, so they are secrets; they are
 * checked when a notification goes to them, so one bad URL fails only its recipient.
 */
export const teamsWorkflowsServiceConfigSchema = z.strictObject({
  /** Recipient name → the URL of a workflow's "When a Teams webhook request is received" trigger. */
  recipientUrls: unsetIfNull(z.record(z.string(), secret(z.string())).default({})),
  /** Skip TLS certificate verification for this service only. */
  insecureSkipVerify: unsetIfNull(z.boolean().default(false)),
  /** Argo transport option: most connections open to one origin (0: no limit). */
  maxConnsPerHost: unsetIfNull(z.number().int().nonnegative().default(0)),
  /** Argo transport option: how long an idle kept-alive connection stays open. */
  idleConnTimeout: unsetIfNull(bounded(HOUR).optional()),
  /** Argo transport option; accepted for compatibility, no effect (connections are pooled per service). */
  maxIdleConns: unsetIfNull(z.number().int().nonnegative().optional()),
  /** Argo transport option; accepted for compatibility, no effect. */
  maxIdleConnsPerHost: unsetIfNull(z.number().int().nonnegative().optional()),
  /** Herald: bound on one request, from connecting to the end of the response. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(bounded(HOUR).optional()),
});

export type TeamsWorkflowsServiceConfig = z.output<typeof teamsWorkflowsServiceConfigSchema>;
export type TeamsWorkflowsServiceConfigInput = z.input<typeof teamsWorkflowsServiceConfigSchema>;

/** Options of the teams-workflows plugin itself (`plugins[i].options` in herald.yaml). */
export const teamsWorkflowsPluginConfigSchema = z.strictObject({
  /** Bound on one request for services that set no `timeout`. */
  timeout: bounded(HOUR).default(10_000),
});

export type TeamsWorkflowsPluginConfig = z.output<typeof teamsWorkflowsPluginConfigSchema>;

/**
 * The `teams-workflows` block of a `template.<name>` entry: Argo's teams fields plus `adaptiveCard`, all
 * template text. `template` and `summary` are accepted and unused, as in Argo.
 */
export const teamsWorkflowsTemplateSchema = z.strictObject({
  template: z.string().optional(),
  title: z.string().optional(),
  summary: z.string().optional(),
  text: z.string().optional(),
  themeColor: z.string().optional(),
  facts: z.string().optional(),
  sections: z.string().optional(),
  potentialAction: z.string().optional(),
  adaptiveCard: z.string().optional(),
});
