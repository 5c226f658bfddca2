import { durationSchema, secret, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

// YAML writes an empty option (`alias:` with nothing after it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

const bounded = () => durationSchema().refine((ms) => ms > 0 && ms <= HOUR, 'must be longer than 0 and at most 1h');

const httpUrl = z.string().refine((value) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be an absolute http or https URL (e.g. https://chat.example.com)');

/** Options of one `service.rocketchat[.<name>]` entry: Argo's rocketchat options, plus Herald's `timeout`. */
export const rocketchatServiceConfigSchema = z.strictObject({
  /** The Rocket.Chat server, e.g. `https://chat.example.com`; `/api/v1/…` is appended. */
  serverUrl: httpUrl,
  /** The bot user's email (or username), to log in with. */
  email: z.string().min(1, 'is required (the bot user to log in as)'),
  /** The bot user's password, usually `$rocketchat-password`. */
  password: secret(z.string().min(1, 'is required (usually $rocketchat-password)')),
  /** Name the messages are shown under. */
  alias: unsetIfNull(z.string().optional()),
  /** `:emoji:` shown as the avatar; anything else is left out (with a warning), as Argo does. */
  icon: unsetIfNull(z.string().optional()),
  /** An http(s) image URL shown as the avatar; anything else is left out (with a warning), as Argo does. */
  avatar: unsetIfNull(z.string().optional()),
  /** Herald: bound on one request. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(bounded().optional()),
});

export type RocketchatServiceConfig = z.output<typeof rocketchatServiceConfigSchema>;
export type RocketchatServiceConfigInput = z.input<typeof rocketchatServiceConfigSchema>;

/** Options of the rocketchat plugin itself (`plugins[i].options` in herald.yaml). */
export const rocketchatPluginConfigSchema = z.strictObject({
  /** Bound on one request for services that set no `timeout`. */
  timeout: bounded().default(10_000),
});

export type RocketchatPluginConfig = z.output<typeof rocketchatPluginConfigSchema>;

/** The `rocketchat` block of a `template.<name>` entry: Argo's one field, template text rendering to a JSON list. */
export const rocketchatTemplateSchema = z.strictObject({
  attachments: z.string().optional(),
});
