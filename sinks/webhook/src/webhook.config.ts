import { secret, z } from '@herald/plugin-sdk';
import { duration } from './duration.ts';

const HOUR = 3_600_000;

// YAML writes an empty option (`headers:` with nothing under it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

const positive = (schema: ReturnType<typeof duration>) => schema.refine((ms) => ms > 0, 'must be longer than 0');

const httpUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not an absolute URL (e.g. https://example.com/hook)' });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `must be an http or https URL, not ${url.protocol}` });
});

// RFC 9110 token; values may not carry line breaks or NUL (they would split the request).
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'is not a valid HTTP header name');
const headerValue = z.string().refine((value) => !/[\r\n\0]/.test(value), 'must not contain line breaks or NUL');

/**
 * Options of one `service.webhook[.<name>]` entry: Argo's webhook service options (its HTTP transport
 * options included), plus Herald's `timeout`. Durations are Go duration strings or milliseconds.
 */
export const webhookServiceConfigSchema = z.strictObject({
  /** Where requests go; a template block's `path` is appended to it. */
  url: httpUrl,
  /** Sent with every request; a later entry of the same name replaces an earlier one. */
  headers: unsetIfNull(z.array(z.strictObject({ name: headerName, value: secret(headerValue) })).default([])),
  /** Sets `Authorization: Basic …` (over an `Authorization` entry in `headers`, as Argo does). */
  basicAuth: unsetIfNull(z.strictObject({ username: z.string(), password: secret(z.string()) }).optional()),
  /** Skip TLS certificate verification for this service only. */
  insecureSkipVerify: unsetIfNull(z.boolean().default(false)),
  /**
   * Retries after the first request, for retryable failures only (0: one request): Herald makes at most
   * `retryMax + 1` requests per notification in all, capped by the engine's `sink.maxDeliver`.
   */
  retryMax: unsetIfNull(z.number().int().nonnegative().default(3)),
  /** Shortest wait before a retry (unless the server sent Retry-After). */
  retryWaitMin: unsetIfNull(duration(HOUR).default(1_000)),
  /** Longest wait before a retry; a `Retry-After` from the server wins over it. */
  retryWaitMax: unsetIfNull(duration(HOUR).default(5_000)),
  /** Argo transport option: most connections open to one origin (0: no limit). */
  maxConnsPerHost: unsetIfNull(z.number().int().nonnegative().default(0)),
  /** Argo transport option: how long an idle kept-alive connection stays open (default: the HTTP client's, 4s). */
  idleConnTimeout: unsetIfNull(positive(duration(HOUR)).optional()),
  /** Argo transport option; accepted for compatibility, no effect (connections are pooled per origin). */
  maxIdleConns: unsetIfNull(z.number().int().nonnegative().optional()),
  /** Argo transport option; accepted for compatibility, no effect. */
  maxIdleConnsPerHost: unsetIfNull(z.number().int().nonnegative().optional()),
  /** Herald: bound on one request, from connecting to the end of the response. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(positive(duration(HOUR)).optional()),
});

export type WebhookServiceConfig = z.output<typeof webhookServiceConfigSchema>;
export type WebhookServiceConfigInput = z.input<typeof webhookServiceConfigSchema>;

/** Options of the webhook plugin itself (`plugins[i].options` in herald.yaml). */
export const webhookPluginConfigSchema = z.strictObject({
  /** Bound on one request for services that set no `timeout`. */
  timeout: positive(duration(HOUR)).default(10_000),
  /** How many characters of a refused request's response body go into the error. 0: none. */
  responseBodyExcerpt: z.number().int().min(0).max(10_000).default(200),
  /** How long `stop()` waits for requests in flight before it cuts their connections. */
  drainTimeout: duration(HOUR).default(5_000),
});

export type WebhookPluginConfig = z.output<typeof webhookPluginConfigSchema>;

/** One service's block in a template: `webhook.<serviceName>.{method, path, body}` (template text until rendered). */
export const webhookBlockSchema = z.strictObject({ method: z.string().optional(), path: z.string().optional(), body: z.string().optional() });

/** The `webhook` block of a `template.<name>` entry: one request description per webhook service name. */
export const webhookTemplateSchema = z.record(z.string(), webhookBlockSchema);
