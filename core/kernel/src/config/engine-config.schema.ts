import { z } from 'zod';
import { byteSize, duration } from './units.ts';

export const ROLES = ['source', 'evaluator', 'sink', 'state'] as const;
export type Role = (typeof ROLES)[number];

const streamLimits = (maxAge: string, maxBytes: string, maxMsgSize: string) =>
  z
    .strictObject({
      maxAge: duration.prefault(maxAge),
      maxBytes: byteSize.prefault(maxBytes),
      maxMsgSize: byteSize.prefault(maxMsgSize),
      replicas: z.number().int().min(1).max(5).default(1),
    })
    .prefault({});

const natsSchema = z
  .strictObject({
    /** Server URLs; the client fails over between them. */
    servers: z.array(z.string().regex(/^(nats|tls|wss?):\/\//, 'must be a nats://, tls:// or ws(s):// URL')).min(1).default(['nats://127.0.0.1:4222']),
    name: z.string().min(1).default('herald'),
    /** One way of proving who Herald is: a token, a user and password, a `.creds` file, or an nkey seed file. */
    auth: z
      .strictObject({
        token: z.string().min(1).optional(),
        user: z.string().min(1).optional(),
        password: z.string().optional(),
        credsFile: z.string().min(1).optional(),
        nkeySeedFile: z.string().min(1).optional(),
      })
      .refine((a) => a.credsFile === undefined || a.nkeySeedFile === undefined, 'set credsFile or nkeySeedFile, not both (a .creds file holds its own seed)')
      .optional(),
    /**
     * TLS to the servers (PEM file paths, read again on every reconnect): `ca` trusts a private CA, `cert`
     * and `key` present a client certificate to servers that verify clients (mTLS).
     */
    tls: z
      .strictObject({
        ca: z.string().min(1).optional(),
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
        handshakeFirst: z.boolean().optional(),
      })
      .refine((t) => (t.cert === undefined) === (t.key === undefined), 'cert and key go together')
      .optional(),
    /** Where in a NATS cluster or super-cluster streams and buckets live: a cluster name and/or server tags. */
    placement: z.strictObject({ cluster: z.string().min(1).optional(), tags: z.array(z.string().min(1)).optional() }).optional(),
    subjectPrefix: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/).default('herald'),
    streamPrefix: z.string().regex(/^[A-Za-z0-9_-]+$/).default('HERALD'),
    partitions: z.number().int().min(1).max(1024).default(16),
    duplicateWindow: duration.prefault('2m'),
    streams: z
      .strictObject({
        events: streamLimits('24h', '1GiB', '4MiB'),
        notifications: streamLimits('7d', '1GiB', '4MiB'),
        results: streamLimits('7d', '256MiB', '1MiB'),
        deadLetters: streamLimits('30d', '1GiB', '8MiB'),
      })
      .prefault({}),
    state: z.strictObject({ maxBytes: byteSize.prefault('256MiB'), replicas: z.number().int().min(1).max(5).default(1) }).prefault({}),
    publish: z
      .strictObject({
        timeout: duration.prefault('60s'),
        attemptTimeout: duration.prefault('5s'),
        maxInflight: z.number().int().min(1).default(256),
      })
      .prefault({}),
    consume: z
      .strictObject({
        ackWait: duration.prefault('30s'),
        backoffBase: duration.prefault('1s'),
        backoffMax: duration.prefault('60s'),
      })
      .prefault({}),
  })
  .prefault({});

export const pluginEntrySchema = z.strictObject({
  /** npm package name (`@herald/sink-webhook`, `acme-herald-pager/sink`) or a path to a module. */
  name: z.string().min(1),
  /** The plugin's own options, validated by its configSchema. */
  options: z.record(z.string(), z.unknown()).default({}),
  /** What a failure to load or initialise this plugin does: stop Herald (abort) or run without it. */
  onBootFailure: z.enum(['abort', 'continue']).default('abort'),
  initTimeout: duration.prefault('10s'),
  stopTimeout: duration.prefault('10s'),
  /** Deadline of one call into the plugin, e.g. one `send`. */
  callTimeout: duration.prefault('30s'),
});

const kubernetesSchema = z
  .strictObject({
    /** Kubeconfig file; default: $KUBECONFIG, else the in-cluster service account, else ~/.kube/config. */
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
  })
  .prefault({});

const annotationPrefix = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a DNS subdomain like notifications.argoproj.io');

const notificationsSchema = z
  .strictObject({
    /** The notification ConfigMap and Secret (Argo's format), watched and hot-reloaded. */
    configMap: z.string().min(1).default('herald-notifications-cm'),
    secret: z.string().min(1).default('herald-notifications-secret'),
    /** Their namespace; default: $POD_NAMESPACE, else the kubeconfig context's namespace, else `default`. */
    namespace: z.string().min(1).optional(),
    /** Read the notification config from files instead (local runs without a cluster). */
    files: z.strictObject({ configMap: z.string().min(1), secret: z.string().min(1).optional() }).optional(),
    /**
     * Self-service notifications (Argo CD's `--self-service-notification-enabled`): the ConfigMap and Secret of
     * these names in any other namespace are that namespace's own config, applied to its objects besides
     * Herald's own. Needs get, list and watch on ConfigMaps and Secrets of these names in every namespace.
     */
    selfService: z.boolean().default(false),
    /** Prefix of the subscription annotations and of the `notified` annotation. */
    annotationPrefix: annotationPrefix.default('notifications.argoproj.io'),
    /**
     * The name objects have in expressions and templates, by kind (`Application: app`) or group/kind
     * (`argoproj.io/Application: app`). Default: the lower-case kind.
     */
    variables: z.record(z.string().min(1), z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier')).default({}),
  })
  .refine((n) => !(n.selfService && n.files), { path: ['selfService'], message: "cannot be combined with notifications.files: self-service reads each namespace's ConfigMap from the cluster" })
  .prefault({});

const stateSchema = z
  .strictObject({
    /** Mirror dedup state into each object's `notified` annotation, in Argo's format. */
    mirrorAnnotations: z.boolean().default(true),
    /** Changes to one object's state within this window cost one patch. */
    coalesce: duration.prefault('200ms'),
    /**
     * Every period, the dead letters of notifications delivered since they failed are removed (a destination
     * that came back took them at a resync or the object's next change). `0` keeps every letter until an
     * operator removes it.
     */
    removeDeliveredDeadLetters: duration.prefault('1m'),
  })
  .prefault({});

const jitter = z.enum(['full', 'equal', 'none']);
const sinkLimits = {
  maxDeliver: z.number().int().min(1),
  maxAckPending: z.number().int().min(1).max(100_000),
  perSecond: z.number().nonnegative(),
  burst: z.number().int().min(1),
  perDestination: z.number().int().min(1),
  failures: z.number().int().min(0),
};
/** Where a destination's rate limit is kept: shared by every sink process (the bus), or each process's own. */
const rateLimitScope = z.enum(['cluster', 'process']);

/** One service type's overrides of the `sink` section: any key, the rest inherited. */
const sinkTypeOverrides = z.strictObject({
  maxDeliver: sinkLimits.maxDeliver.optional(),
  maxAckPending: sinkLimits.maxAckPending.optional(),
  backoff: z.strictObject({ base: duration.optional(), max: duration.optional(), jitter: jitter.optional() }).optional(),
  rateLimit: z.strictObject({ perSecond: sinkLimits.perSecond.optional(), burst: sinkLimits.burst.optional(), maxWait: duration.optional(), scope: rateLimitScope.optional() }).optional(),
  concurrency: z.strictObject({ perDestination: sinkLimits.perDestination.optional() }).optional(),
  circuitBreaker: z.strictObject({ failures: sinkLimits.failures.optional(), coolDown: duration.optional(), maxCoolDown: duration.optional() }).optional(),
});

/**
 * How sinks deliver. A destination is (service type, service, recipient); limits and breakers are per
 * destination; a rate limit is shared by every sink process, the others are per process. See
 * docs/reference/engine-config.md.
 */
const sinkSchema = z
  .strictObject({
    /**
     * Attempts at a notification before it is dead-lettered (a step aside is no attempt); each attempt is
     * one `send`. A service's retry policy (the webhook's `retryMax + 1`) asks for fewer or as many: it is
     * capped at this, so raise it (or `byType.<type>.maxDeliver`) for services that want more.
     */
    maxDeliver: sinkLimits.maxDeliver.default(5),
    /** Notifications of one service type out at once, backing-off and stepped-aside ones included. */
    maxAckPending: sinkLimits.maxAckPending.default(1_000),
    /** Delay before a failed notification is tried again, unless the destination sent Retry-After or its service has a retry policy. */
    backoff: z.strictObject({ base: duration.prefault('1s'), max: duration.prefault('60s'), jitter: jitter.default('equal') }).prefault({}),
    /**
     * Token bucket per destination, one token per attempt. Default: off (`perSecond: 0`), unless the sink
     * declares its API's limit (`defineSink({ limits })`); `byType.<type>.rateLimit` overrides both.
     * `scope: cluster` (the default): every sink process of the installation takes its tokens from one
     * bucket on the bus, so N replicas together keep the limit; `process`: each keeps its own (N × the rate).
     */
    rateLimit: z
      .strictObject({ perSecond: sinkLimits.perSecond.default(0), burst: sinkLimits.burst.default(20), maxWait: duration.prefault('100ms'), scope: rateLimitScope.default('cluster') })
      .prefault({}),
    /**
     * Sends in flight per destination, unless the sink declares its own. High by default: a notification
     * over the cap steps aside through the bus (a delayed redelivery per turn), so a low cap, not the
     * destination, set the pace of a burst (4 held a fast webhook to ~5/s, docs/benchmarks.md).
     */
    concurrency: z.strictObject({ perDestination: sinkLimits.perDestination.default(64) }).prefault({}),
    /** Opens after `failures` consecutive failures of a destination (0: never) for `coolDown`, doubled per failed trial up to `maxCoolDown`. */
    circuitBreaker: z
      .strictObject({ failures: sinkLimits.failures.default(3), coolDown: duration.prefault('30s'), maxCoolDown: duration.prefault('5m') })
      .prefault({}),
    /** Overrides per service type, e.g. `slack: { rateLimit: { perSecond: 1, burst: 3 } }`. */
    byType: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a service type (letters, digits, - and _)'), sinkTypeOverrides).default({}),
  })
  .prefault({});

/**
 * A service type a sink outside Herald delivers: a process in any language speaking the bus contract
 * (docs/guides/plugin-in-any-language.md). Its services are accepted in the notification config, its
 * notifications carry the service's options with secret references, and nothing dead-letters them as
 * undeliverable.
 */
export const externalSinkSchema = z.strictObject({
  serviceType: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a service type (letters, digits, - and _)'),
});

export const engineConfigSchema = z.strictObject({
  kubernetes: kubernetesSchema,
  notifications: notificationsSchema,
  state: stateSchema,
  nats: natsSchema,
  roles: z.array(z.enum(ROLES)).min(1).default([...ROLES]),
  /**
   * A folder where plugins were installed with `npm i <plugin>` (it has a `node_modules` inside), relative to
   * herald.yaml; searched first. See docs/reference/engine-config.md, "Where plugins are found".
   */
  pluginsFolder: z.string().min(1).optional(),
  plugins: z.array(pluginEntrySchema).default([]),
  externalSinks: z
    .array(externalSinkSchema)
    .default([])
    .refine((sinks) => new Set(sinks.map((s) => s.serviceType)).size === sinks.length, 'lists a service type twice'),
  log: z.strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).prefault({}),
  telemetry: z
    .strictObject({
      /** service.name of traces and metrics, unless OTEL_SERVICE_NAME (or service.name in OTEL_RESOURCE_ATTRIBUTES) names one. */
      serviceName: z.string().min(1).default('herald'),
      /** Port of /metrics, /healthz and /readyz; none (the default): not served. 0 picks a free port (tests). */
      port: z.number().int().min(0).max(65535).optional(),
      /** Address that port listens on. */
      host: z.string().min(1).default('0.0.0.0'),
    })
    .prefault({}),
  sink: sinkSchema,
  /**
   * V8's heap handed back to the system once the process is quiet (core/kernel/src/idle-memory-release.ts), and
   * glibc's free pages with it where node can call `malloc_trim` (Node 26's node:ffi). Needs node's `--expose-gc`,
   * which the image sets; without it nothing is released.
   */
  memory: z
    .strictObject({
      releaseWhenIdle: z.boolean().default(true),
      /** The event loop busy under 5 % of this long, on average, first. */
      quietFor: duration.prefault('30s'),
      /** And the RSS grown at least this much since the last release. */
      minGrowth: byteSize.prefault('16MiB'),
    })
    .prefault({}),
  shutdownTimeout: duration.prefault('30s'),
});

export type EngineConfig = z.output<typeof engineConfigSchema>;
export type EngineConfigInput = z.input<typeof engineConfigSchema>;
export type PluginEntry = z.output<typeof pluginEntrySchema>;
export type ExternalSink = z.output<typeof externalSinkSchema>;
export type SinkConfig = z.output<typeof sinkSchema>;
