import type { z } from 'zod';
import type { NotificationData } from './events.ts';
import type { ResolvedDeps, ServiceRefs } from './service-ref.ts';
import { CONTRACT_VERSION, PLUGIN_BRAND } from './version.ts';

/** What a source's `init` returns. `stop()` must be idempotent and stop publishing before it resolves. */
export interface SourceHandle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of one configured service, e.g. `service.webhook.github` in the notification ConfigMap. */
export interface ServiceInstance<C = Record<string, unknown>> {
  /** Service type, e.g. `webhook`. */
  type: string;
  /** Service name: `github` in `service.webhook.github`; the type itself for `service.<type>`. */
  name: string;
  /** The service's options with `$secret` references substituted, parsed by the sink's `serviceConfigSchema`. */
  config: C;
  /**
   * Every value substituted into `config` from the notification Secret: never shown. Mask them in any text
   * a sink makes (`maskSecrets`); Herald masks them in the errors a `send` throws as well.
   */
  secrets?: readonly string[];
}

export interface SendContext<C = Record<string, unknown>> {
  /** 1 on the first attempt. Each `send` is one attempt: Herald retries, never the sink itself. */
  attempt: number;
  /** Aborted when the delivery deadline (`callTimeout`) passes or Herald shuts down. */
  signal: AbortSignal;
  /** The configured service the notification goes to (`notification.destination.service`). */
  service: ServiceInstance<C>;
}

/**
 * What a sink's `init` returns. `send` makes exactly one attempt (one request): it resolves once the
 * remote side accepted the notification, and throws a DeliveryError (retryable or not, with the server's
 * Retry-After) when it did not. Retries, backoff, rate limits and breakers are Herald's (core/delivery).
 */
export interface SinkHandle<C = Record<string, unknown>> {
  send(notification: NotificationData, context: SendContext<C>): Promise<void>;
  stop(): Promise<void>;
}

export type InitContext<S extends z.ZodType, D extends ServiceRefs> = ResolvedDeps<D> & {
  /** The plugin's options from herald.yaml, validated by `configSchema` (defaults applied). */
  config: z.output<S>;
  /** Aborted when `init` runs past its deadline. */
  signal: AbortSignal;
};

interface PluginOptions<S extends z.ZodType, D extends ServiceRefs> {
  /** Lower-case id, unique in a Herald process: `webhook`, `kubernetes`, `acme-pager`. */
  id: string;
  description?: string;
  /** Semver range of the SDK this plugin works with, e.g. `^1.0.0`; see the README for the rule. */
  sdkVersion: string;
  configSchema: S;
  deps: D;
}

export interface SourceOptions<S extends z.ZodType, D extends ServiceRefs> extends PluginOptions<S, D> {
  init(context: InitContext<S, D>): Promise<SourceHandle>;
}

/**
 * The API's own limits per destination (service, recipient), as the sink knows them: Herald's defaults for
 * the sink's service types. The engine config's `sink.byType.<type>` overrides them; a sink that declares
 * none gets the engine config's `sink` defaults (no rate limit unless configured).
 */
export interface SinkLimits {
  /** Sends per second to one destination (a token bucket); e.g. Slack's one message per second per channel. */
  perSecond?: number;
  /** Sends at once above the rate (the bucket's size). Default: the engine config's `sink.rateLimit.burst`. */
  burst?: number;
  /** Sends in flight to one destination at once. */
  perDestination?: number;
}

/**
 * How Herald retries the notifications of one configured service: policy data the sink derives from the
 * service's options (the webhook's Argo `retryMax`, `retryWaitMin`, `retryWaitMax`). Herald makes the
 * attempts: each is one `send`, seen by the rate limit, the in-flight cap, the breaker and the deadline.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (Argo's `retryMax + 1`); capped by the engine's `sink.maxDeliver`. */
  maxAttempts: number;
  /** Shortest wait before a retry, unless the destination sent Retry-After. */
  backoffMinMs: number;
  /** Longest wait before a retry; the waits double from the shortest, with jitter. */
  backoffMaxMs: number;
}

export interface SinkOptions<S extends z.ZodType, D extends ServiceRefs, C extends z.ZodType = z.ZodType<Record<string, unknown>>>
  extends PluginOptions<S, D> {
  /** Notification service types this sink delivers, e.g. `['webhook']`. */
  serviceTypes: readonly string[];
  /**
   * Schema of this sink's `service.<type>[.<name>]` entries in the notification config. Herald checks every
   * entry with it when the config loads (an error names the key) and hands `send` the parsed options.
   * Keys are matched case-insensitively against the schema's, as Argo's Go decoder does.
   */
  serviceConfigSchema?: C;
  /**
   * Schema of this sink's block in a `template.<name>` entry (the key is the service type, e.g.
   * `webhook.<serviceName>.{method, path, body}`), checked when the config loads: make it strict, so a
   * typo such as `slack.attachmnts` is an error naming the key. Values are still unrendered template text.
   */
  templateSchema?: z.ZodType;
  /** The API's default limits per destination (see SinkLimits). */
  limits?: SinkLimits;
  /**
   * The retry policy of one configured service, from its parsed options. Fields left out (or no function)
   * take the engine config's `sink` values for the service type.
   */
  retryPolicy?(serviceConfig: z.output<C>): Partial<RetryPolicy>;
  init(context: InitContext<S, D>): Promise<SinkHandle<z.output<C>>>;
}

interface Branded {
  readonly [PLUGIN_BRAND]: true;
  readonly contractVersion: number;
}

export type SourcePlugin<S extends z.ZodType = z.ZodType, D extends ServiceRefs = ServiceRefs> = Branded &
  Readonly<SourceOptions<S, D>> & { readonly kind: 'source' };
export type SinkPlugin<S extends z.ZodType = z.ZodType, D extends ServiceRefs = ServiceRefs, C extends z.ZodType = z.ZodType> = Branded &
  Readonly<SinkOptions<S, D, C>> & { readonly kind: 'sink' };
export type HeraldPlugin = SourcePlugin | SinkPlugin;

/** Declares a source plugin: something that watches the world and publishes resource events. */
export function defineSource<S extends z.ZodType, D extends ServiceRefs>(options: SourceOptions<S, D>): SourcePlugin<S, D> {
  return Object.freeze({ ...options, kind: 'source', contractVersion: CONTRACT_VERSION, [PLUGIN_BRAND]: true }) as SourcePlugin<S, D>;
}

/** Declares a sink plugin: something that delivers notifications of some service types. */
export function defineSink<S extends z.ZodType, D extends ServiceRefs, C extends z.ZodType = z.ZodType<Record<string, unknown>>>(
  options: SinkOptions<S, D, C>,
): SinkPlugin<S, D, C> {
  return Object.freeze({ ...options, kind: 'sink', contractVersion: CONTRACT_VERSION, [PLUGIN_BRAND]: true }) as SinkPlugin<S, D, C>;
}

/** True for anything made by defineSource/defineSink (of any SDK copy: the brand is a global symbol). */
export function isHeraldPlugin(value: unknown): value is HeraldPlugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}
