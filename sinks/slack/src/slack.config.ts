import { secret, z } from '@herald/plugin-sdk';
import { boundedDuration, httpUrlSchema, transportOptionsShape, unsetIfNull } from '@herald/plugin-http';

/**
 * Options of one `service.slack[.<name>]` entry: Argo's slack service options, unchanged (its HTTP
 * transport options included), plus Herald's `timeout`.
 */
export const slackServiceConfigSchema = z.strictObject({
  /** Bot token (`xoxb-…`), usually `$slack-token` from the notifications Secret. */
  token: secret(z.string().min(1, 'is required (a bot token, usually $slack-token)')),
  /** Name the messages are posted under, unless a template's `slack.username` says otherwise. */
  username: unsetIfNull(z.string().optional()),
  /** `:emoji:` or an http(s) image URL, unless a template's `slack.icon` says otherwise. */
  icon: unsetIfNull(z.string().optional()),
  /** Argo uses it for its bot's interactive requests; accepted for compatibility, never sent. */
  signingSecret: unsetIfNull(secret(z.string()).optional()),
  /** Argo's bot channels; accepted for compatibility, no effect (recipients name the channels). */
  channels: unsetIfNull(z.array(z.string()).optional()),
  /** Base URL of the Web API (default https://slack.com/api/); methods are appended to it. */
  apiURL: unsetIfNull(httpUrlSchema('e.g. https://slack.com/api/').optional()),
  /** Asks Slack not to unfurl links and media in the messages. */
  disableUnfurl: unsetIfNull(z.boolean().default(false)),
  ...transportOptionsShape,
});

export type SlackServiceConfig = z.output<typeof slackServiceConfigSchema>;
export type SlackServiceConfigInput = z.input<typeof slackServiceConfigSchema>;

/** Options of the slack plugin itself (`plugins[i].options` in herald.yaml). */
export const slackPluginConfigSchema = z.strictObject({
  /** Bound on one API call for services that set no `timeout`. */
  timeout: boundedDuration().default(10_000),
  /**
   * How long a thread parent being posted by another replica (or a process that died posting it) holds
   * the thread's key before this one takes it over.
   */
  parentClaimTimeout: boundedDuration().default(30_000),
});

export type SlackPluginConfig = z.output<typeof slackPluginConfigSchema>;

/** Argo's delivery policies for a `groupingKey` thread. */
export const deliveryPolicies = ['Post', 'PostAndUpdate', 'Update'] as const;
export type DeliveryPolicy = (typeof deliveryPolicies)[number];

/**
 * The `slack` block of a `template.<name>` entry, Argo's fields: strings are template text until rendered
 * (`attachments` and `blocks` render to JSON); `notifyBroadcast` and `deliveryPolicy` are plain values.
 */
export const slackTemplateSchema = z.strictObject({
  attachments: z.string().optional(),
  blocks: z.string().optional(),
  username: z.string().optional(),
  icon: z.string().optional(),
  groupingKey: z.string().optional(),
  notifyBroadcast: z.boolean().optional(),
  deliveryPolicy: z.enum(deliveryPolicies).optional(),
});
