import { durationSchema, secret, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

// YAML writes an empty option (`account:` with nothing after it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null || value === '' ? undefined : value), schema);

const bounded = (maxMs: number) => durationSchema().refine((ms) => ms > 0 && ms <= maxMs, `must be longer than 0 and at most ${maxMs / HOUR}h`);

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http or https URL (e.g. http://localstack:4566)');

/**
 * Options of one `service.awssqs[.<name>]` entry: Argo's awssqs service options, unchanged, plus Herald's
 * `delaySeconds` and `timeout`.
 */
export const awssqsServiceConfigSchema = z.strictObject({
  /** Queue name; a subscription's recipient takes precedence. */
  queue: unsetIfNull(z.string().optional()),
  /** AWS account ID that owns the queue (GetQueueUrl's QueueOwnerAWSAccountId), for a queue of another account. */
  account: unsetIfNull(z.string().optional()),
  /** Region of the queue; default $AWS_DEFAULT_REGION, then the SDK's own ($AWS_REGION, the shared config). */
  region: unsetIfNull(z.string().optional()),
  /** Endpoint to call instead of AWS's (LocalStack, a VPC endpoint). */
  endpointUrl: unsetIfNull(httpUrl.optional()),
  /** Access key ID; used with `secret` (both set, as Argo requires), else the SDK's default credential chain. */
  key: unsetIfNull(secret(z.string()).optional()),
  /** Secret access key of `key`. */
  secret: unsetIfNull(secret(z.string()).optional()),
  /**
   * Herald: DelaySeconds of a message to a standard queue. Default 10, as Argo sends every message; FIFO
   * queues take no per-message delay, and none is sent to them.
   */
  delaySeconds: unsetIfNull(z.number().int().min(0).max(900).default(10)),
  /** Herald: bound on one send (the queue URL lookup and SendMessage). Default: the plugin's `timeout`. */
  timeout: unsetIfNull(bounded(HOUR).optional()),
});

export type AwssqsServiceConfig = z.output<typeof awssqsServiceConfigSchema>;
export type AwssqsServiceConfigInput = z.input<typeof awssqsServiceConfigSchema>;

/** Options of the awssqs plugin itself (`plugins[i].options` in herald.yaml). */
export const awssqsPluginConfigSchema = z.strictObject({
  /** Bound on one send for services that set no `timeout`. */
  timeout: bounded(HOUR).default(10_000),
});

export type AwssqsPluginConfig = z.output<typeof awssqsPluginConfigSchema>;

/**
 * The `awssqs` block of a `template.<name>` entry, Argo's fields: `messageAttributes` (name → template text,
 * sent as String attributes) and `messageGroupId` (template text; required by FIFO queues).
 */
export const awssqsTemplateSchema = z.strictObject({
  messageAttributes: z.record(z.string(), z.string()).optional(),
  messageGroupId: z.string().optional(),
});
