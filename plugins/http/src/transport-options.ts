import { durationSchema, secret, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

/** YAML writes an empty option (`timeout:` with nothing after it) as null; Go's decoder takes that as unset. */
export const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

/** A duration longer than 0 and at most an hour. */
export const boundedDuration = () => durationSchema().refine((ms) => ms > 0 && ms <= HOUR, 'must be longer than 0 and at most 1h');
const bounded = boundedDuration;

/** An absolute http or https URL; `hint` ends the error message (e.g. what the URL looks like). */
export const httpUrlSchema = (hint: string) =>
  z.string().refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be an absolute http or https URL (${hint})`);

/**
 * Argo's HTTP transport options, which every HTTP service of the engine accepts, plus Herald's `timeout`.
 * A sink's service schema spreads these into its own: `z.strictObject({ ...transportOptionsShape, token: … })`.
 */
export const transportOptionsShape = {
  /** Skip TLS certificate verification for this service only. */
  insecureSkipVerify: unsetIfNull(z.boolean().default(false)),
  /** Most connections open to one origin (0 or unset: no limit). */
  maxConnsPerHost: unsetIfNull(z.number().int().nonnegative().optional()),
  /** How long an idle kept-alive connection stays open. */
  idleConnTimeout: unsetIfNull(bounded().optional()),
  /** Accepted for compatibility, no effect: connections are pooled per agent. */
  maxIdleConns: unsetIfNull(z.number().int().nonnegative().optional()),
  /** Accepted for compatibility, no effect. */
  maxIdleConnsPerHost: unsetIfNull(z.number().int().nonnegative().optional()),
  /** Herald: bound on one request, from connecting to the end of the answer. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(bounded().optional()),
};

/** The transport options of one service, as parsed. */
export type TransportOptions = z.output<z.ZodObject<typeof transportOptionsShape>>;

/** The plugin options of an HTTP sink (`plugins[i].options`): the request bound for services that set no `timeout`. */
export const httpPluginConfigSchema = z.strictObject({
  timeout: bounded().default(10_000),
});

export type HttpPluginConfig = z.output<typeof httpPluginConfigSchema>;

/** Recipient name → a webhook URL (each one a secret: it carries its token); `hint` says what such a URL looks like. */
export const webhookUrlsSchema = (hint: string) => unsetIfNull(z.record(z.string(), secret(httpUrlSchema(hint))).default({}));
