import { secret, z } from '@herald/plugin-sdk';
import { httpPluginConfigSchema, transportOptionsShape, unsetIfNull, type HttpPluginConfig } from '@herald/plugin-http';

/**
 * Options of one `service.teams-workflows[.<name>]` entry: Argo's options (its HTTP transport options
 * included), plus Herald's `timeout`. The workflow URLs carry their signature, so they are secrets; they are
 * checked when a notification goes to them, so one bad URL fails only its recipient.
 */
export const teamsWorkflowsServiceConfigSchema = z.strictObject({
  /** Recipient name → the URL of a workflow's "When a Teams webhook request is received" trigger. */
  recipientUrls: unsetIfNull(z.record(z.string(), secret(z.string())).default({})),
  ...transportOptionsShape,
});

export type TeamsWorkflowsServiceConfig = z.output<typeof teamsWorkflowsServiceConfigSchema>;
export type TeamsWorkflowsServiceConfigInput = z.input<typeof teamsWorkflowsServiceConfigSchema>;

/** Options of the teams-workflows plugin itself (`plugins[i].options` in herald.yaml): the request bound for services that set no `timeout`. */
export const teamsWorkflowsPluginConfigSchema = httpPluginConfigSchema;

export type TeamsWorkflowsPluginConfig = HttpPluginConfig;

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
