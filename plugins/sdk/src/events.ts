import { z } from 'zod';

/** CloudEvents `type` of each message Herald puts on the bus. */
export const EventTypes = {
  resource: 'io.herald.resource.v1',
  notification: 'io.herald.notification.v1',
  deliveryResult: 'io.herald.delivery-result.v1',
  deadLetter: 'io.herald.dead-letter.v1',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

// Data schemas accept (and drop) fields they do not know, so a newer publisher that added a field never has
// its messages dead-lettered by an older consumer during a rolling upgrade. Publishers validate too.

/** Group/version/resource of a watched Kubernetes type, plus its kind. Core group is "". */
export const resourceTypeSchema = z.object({
  group: z.string(),
  version: z.string().min(1),
  resource: z.string().min(1),
  kind: z.string().min(1),
});

/** Identity of one object: enough to patch it and to key its state. */
export const objectRefSchema = resourceTypeSchema.extend({
  namespace: z.string().optional(),
  name: z.string().min(1),
  uid: z.string().min(1),
});

export const resourceEventDataSchema = z.object({
  action: z.enum(['ADDED', 'MODIFIED', 'DELETED']),
  ref: objectRefSchema,
  /** The object's metadata.resourceVersion; part of the event's idempotency key. */
  resourceVersion: z.string().min(1),
  /** The object as the API server returned it, without managedFields. */
  object: z.record(z.string(), z.unknown()),
  /** When the source observed the change (RFC 3339); optional: a source may not know. Delivery latency starts here. */
  observedAt: z.iso.datetime({ offset: true }).optional(),
  /**
   * Set when a source publishes an object again on a periodic resync although it did not change (client-go's
   * resync, which Argo's hosts run every minute): a value unique to that resync (the Kubernetes source: its
   * list's resourceVersion). The event's idempotency key is then `<uid>:<resourceVersion>:resync:<resync>`, so
   * the bus never drops it as a repeat of the event it follows.
   */
  resync: z.string().min(1).optional(),
});

/**
 * Where one `$name` of a service's options lives: key `key` of the Kubernetes Secret `namespace`/`name`, or
 * of the Secret manifest in `file` when Herald reads its notification config from files. Never the value.
 */
export const secretRefSchema = z.object({
  name: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  file: z.string().min(1).optional(),
  key: z.string().min(1),
});

export const destinationSchema = z.object({
  /** Service type, e.g. `webhook`, `slack`, `email`: selects the sink. */
  serviceType: z.string().min(1),
  /** Configured service name, e.g. `webhook` in `service.webhook.webhook` (equals the type when unnamed). */
  service: z.string().min(1),
  /** Channel, address or other recipient; empty when the service has none. */
  recipient: z.string(),
  /**
   * Only for a service type herald.yaml declares external (`externalSinks`): the service's options as the
   * ConfigMap writes them, each `$name` secret reference left in place (never its value).
   */
  options: z.record(z.string(), z.unknown()).optional(),
  /** With `options`: where each `$name` found in the notification config's Secret is read from. */
  secretRefs: z.record(z.string(), secretRefSchema).optional(),
  /**
   * The namespace whose own notification config (self-service, herald.yaml's `notifications.selfService`) has the
   * subscription's trigger and service; absent for Herald's own config. The sink reads the service from it.
   */
  configNamespace: z.string().min(1).optional(),
});

/**
 * The dedup claim as the evaluator made it, carried to the sink's result so that the state role settles the
 * claim with one compare-and-set on `claimRevision`, without reading it first. Absent (a result from a sink
 * outside Herald that does not copy it): the claim is read.
 */
export const claimStampSchema = z.object({
  /** Unix seconds of the decision: the time the `notified` annotation shows. */
  at: z.number().nonnegative(),
  /** resourceVersion of the object state that made the claim. */
  rv: z.string().optional(),
});

export const notificationDataSchema = z.object({
  trigger: z.string().min(1),
  /** Argo condition key `[<index>].<hash of when>`. */
  conditionKey: z.string().min(1),
  template: z.string().min(1),
  destination: destinationSchema,
  /** The dedup state key; the `notified` annotation uses it too. */
  stateKey: z.string().min(1),
  /** Hash of (object UID, state key): passed to remote APIs that deduplicate. */
  idempotencyKey: z.string().min(1),
  /**
   * Revision of the dedup claim in the state bucket. A condition that fires again after it was cleared
   * gets a new claim, so `idempotencyKey:claimRevision` tells a legitimate re-send from a duplicate.
   */
  claimRevision: z.number().int().nonnegative(),
  /** The claim's time and object state (see claimStampSchema); sinks copy it into their result. */
  claim: claimStampSchema.optional(),
  ref: objectRefSchema,
  /** The rendered notification: `message` plus the block of this service type (e.g. `webhook`, `email`). */
  rendered: z.record(z.string(), z.unknown()),
  /** The `observedAt` of the resource event that caused it, when it had one. */
  observedAt: z.iso.datetime({ offset: true }).optional(),
});

export const deliveryResultDataSchema = z.object({
  idempotencyKey: z.string().min(1),
  claimRevision: z.number().int().nonnegative(),
  /** The notification's `claim`, when it had one. */
  claim: claimStampSchema.optional(),
  stateKey: z.string().min(1),
  trigger: z.string().min(1),
  destination: destinationSchema,
  ref: objectRefSchema,
  succeeded: z.boolean(),
  attempts: z.number().int().positive(),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).optional(),
});

export const deadLetterDataSchema = z.object({
  /** Why the message could not be processed, for people. */
  reason: z.string().min(1),
  code: z.string().min(1),
  /** The consumer (durable name) that gave up. */
  consumer: z.string().min(1),
  /** Attempts made to handle it (in-place retries of ordered channels included). */
  deliveryCount: z.number().int().nonnegative(),
  original: z.object({
    stream: z.string(),
    subject: z.string(),
    /** Stream sequence: the original stays readable there until the stream's max age. */
    sequence: z.number().int().nonnegative(),
    headers: z.record(z.string(), z.string()),
    /** The payload as received, UTF-8 (or base64 when `encoding` says so). */
    payload: z.string(),
    encoding: z.enum(['utf8', 'base64']),
    /** True when the payload was cut to fit the dead-letter stream's message size. */
    truncated: z.boolean().optional(),
  }),
});

/** A CloudEvents 1.0 structured-mode JSON envelope around `data`. Extension attributes are kept. */
export function cloudEventSchema<T extends z.ZodType>(data: T, type?: EventType) {
  return z.looseObject({
    specversion: z.literal('1.0'),
    id: z.string().min(1),
    source: z.string().min(1),
    type: type ? z.literal(type) : z.string().min(1),
    subject: z.string().optional(),
    time: z.iso.datetime({ offset: true }),
    datacontenttype: z.string().regex(/^application\/json\b/, 'must be application/json').optional(),
    data,
  });
}

export const resourceEventSchema = cloudEventSchema(resourceEventDataSchema, EventTypes.resource);
export const notificationEventSchema = cloudEventSchema(notificationDataSchema, EventTypes.notification);
export const deliveryResultEventSchema = cloudEventSchema(deliveryResultDataSchema, EventTypes.deliveryResult);
export const deadLetterEventSchema = cloudEventSchema(deadLetterDataSchema, EventTypes.deadLetter);

export type ResourceType = z.infer<typeof resourceTypeSchema>;
export type ObjectRef = z.infer<typeof objectRefSchema>;
export type ResourceEventData = z.infer<typeof resourceEventDataSchema>;
export type Destination = z.infer<typeof destinationSchema>;
export type SecretRef = z.infer<typeof secretRefSchema>;
export type ClaimStamp = z.infer<typeof claimStampSchema>;
export type NotificationData = z.infer<typeof notificationDataSchema>;
export type DeliveryResultData = z.infer<typeof deliveryResultDataSchema>;
export type DeadLetterData = z.infer<typeof deadLetterDataSchema>;

export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype?: string;
  data: T;
  [extension: string]: unknown;
}

export const schemasByType = {
  [EventTypes.resource]: resourceEventSchema,
  [EventTypes.notification]: notificationEventSchema,
  [EventTypes.deliveryResult]: deliveryResultEventSchema,
  [EventTypes.deadLetter]: deadLetterEventSchema,
} as const;

/** Schema of the `data` of each event type; publishers check what they send against it. */
export const dataSchemasByType = {
  [EventTypes.resource]: resourceEventDataSchema,
  [EventTypes.notification]: notificationDataSchema,
  [EventTypes.deliveryResult]: deliveryResultDataSchema,
  [EventTypes.deadLetter]: deadLetterDataSchema,
} as const;

/** JSON Schemas (draft 2020-12) of every envelope, for plugins written in other languages. */
export function eventJsonSchemas(): Record<EventType, unknown> {
  const out = {} as Record<EventType, unknown>;
  for (const [type, schema] of Object.entries(schemasByType)) {
    // `input`: what a consumer accepts, unknown properties included.
    out[type as EventType] = { $id: `https://herald.dev/schemas/${type}.json`, ...z.toJSONSchema(schema, { io: 'input' }) };
  }
  return out;
}
