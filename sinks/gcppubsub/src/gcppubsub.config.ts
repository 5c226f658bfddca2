import { durationSchema, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

// YAML writes an empty option (`keyFile:` with nothing after it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null || value === '' ? undefined : value), schema);

const bounded = (maxMs: number) => durationSchema().refine((ms) => ms > 0 && ms <= maxMs, `must be longer than 0 and at most ${maxMs / HOUR}h`);

/** Options of one `service.gcppubsub[.<name>]` entry: Argo's gcppubsub service options, plus Herald's `timeout`. */
export const gcppubsubServiceConfigSchema = z.strictObject({
  /** Topic ID; a subscription's recipient takes precedence. */
  topic: unsetIfNull(z.string().optional()),
  /** Google Cloud project of the topic. */
  project: z.string().min(1, 'is required (the Google Cloud project ID)'),
  /** Path of a service account key file; default: Application Default Credentials (workload identity…). */
  keyFile: unsetIfNull(z.string().optional()),
  /** Herald: bound on one publish. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(bounded(HOUR).optional()),
});

export type GcppubsubServiceConfig = z.output<typeof gcppubsubServiceConfigSchema>;
export type GcppubsubServiceConfigInput = z.input<typeof gcppubsubServiceConfigSchema>;

/** Options of the gcppubsub plugin itself (`plugins[i].options` in herald.yaml). */
export const gcppubsubPluginConfigSchema = z.strictObject({
  /** Bound on one publish for services that set no `timeout`. */
  timeout: bounded(HOUR).default(10_000),
});

export type GcppubsubPluginConfig = z.output<typeof gcppubsubPluginConfigSchema>;

/** The `gcppubsub` block of a `template.<name>` entry: Argo's `attributes` (name → template text). */
export const gcppubsubTemplateSchema = z.strictObject({
  attributes: z.record(z.string(), z.string()).optional(),
});
