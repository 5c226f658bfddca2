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
    auth: z
      .strictObject({
        token: z.string().min(1).optional(),
        user: z.string().min(1).optional(),
        password: z.string().optional(),
        credsFile: z.string().min(1).optional(),
      })
      .optional(),
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
    /** Prefix of the subscription annotations and of the `notified` annotation. */
    annotationPrefix: annotationPrefix.default('notifications.argoproj.io'),
    /**
     * The name objects have in expressions and templates, by kind (`Application: app`) or group/kind
     * (`argoproj.io/Application: app`). Default: the lower-case kind.
     */
    variables: z.record(z.string().min(1), z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier')).default({}),
  })
  .prefault({});

const stateSchema = z
  .strictObject({
    /** Mirror dedup state into each object's `notified` annotation, in Argo's format. */
    mirrorAnnotations: z.boolean().default(true),
    /** Changes to one object's state within this window cost one patch. */
    coalesce: duration.prefault('200ms'),
  })
  .prefault({});

export const engineConfigSchema = z.strictObject({
  kubernetes: kubernetesSchema,
  notifications: notificationsSchema,
  state: stateSchema,
  nats: natsSchema,
  roles: z.array(z.enum(ROLES)).min(1).default([...ROLES]),
  plugins: z.array(pluginEntrySchema).default([]),
  log: z.strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).prefault({}),
  telemetry: z.strictObject({ serviceName: z.string().min(1).default('herald') }).prefault({}),
  sink: z.strictObject({ maxDeliver: z.number().int().min(1).default(5) }).prefault({}),
  shutdownTimeout: duration.prefault('30s'),
});

export type EngineConfig = z.output<typeof engineConfigSchema>;
export type EngineConfigInput = z.input<typeof engineConfigSchema>;
export type PluginEntry = z.output<typeof pluginEntrySchema>;
