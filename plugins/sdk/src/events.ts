import { z } from 'zod';

/** CloudEvents `type` of each message Herald puts on the bus. */
export const EventTypes = {
  resource: 'io.herald.resource.v1',
  notification: 'io.herald.notification.v1',
  deliveryResult: 'io.herald.delivery-result.v1',
  deadLetter: 'io.herald.dead-letter.v1',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/** Group/version/resource of a watched Kubernetes type, plus its kind. Core group is "". */
export const resourceTypeSchema = z.strictObject({
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

export const resourceEventDataSchema = z.strictObject({
  action: z.enum(['ADDED', 'MODIFIED', 'DELETED']),
  ref: objectRefSchema,
  resourceVersion: z.string().optional(),
  /** The object as the API server returned it, without managedFields. */
  object: z.record(z.string(), z.unknown()),
});

export const destinationSchema = z.strictObject({
  /** Service type, e.g. `webhook`, `slack`, `email`: selects the sink. */
  serviceType: z.string().min(1),
  /** Configured service name, e.g. `webhook` in `service.webhook.webhook` (equals the type when unnamed). */
  service: z.string().min(1),
  /** Channel, address or other recipient; empty when the service has none. */
  recipient: z.string(),
});

export const notificationDataSchema = z.strictObject({
  trigger: z.string().min(1),
  /** Argo condition key `[<index>].<hash of when>`. */
  conditionKey: z.string().min(1),
  template: z.string().min(1),
  destination: destinationSchema,
  /** The dedup state key; the `notified` annotation uses it too. */
  stateKey: z.string().min(1),
  /** Hash of (object UID, state key): passed to remote APIs that deduplicate. */
  idempotencyKey: z.string().min(1),
  ref: objectRefSchema,
  /** The rendered notification: `message` plus the block of this service type (e.g. `webhook`, `email`). */
  rendered: z.record(z.string(), z.unknown()),
});

export const deliveryResultDataSchema = z.strictObject({
  idempotencyKey: z.string().min(1),
  stateKey: z.string().min(1),
  trigger: z.string().min(1),
  destination: destinationSchema,
  ref: objectRefSchema,
  succeeded: z.boolean(),
  attempts: z.number().int().positive(),
  error: z.strictObject({ code: z.string(), message: z.string(), retryable: z.boolean() }).optional(),
});

export const deadLetterDataSchema = z.strictObject({
  /** Why the message could not be processed, for people. */
  reason: z.string().min(1),
  code: z.string().min(1),
  /** The consumer (durable name) that gave up. */
  consumer: z.string().min(1),
  deliveryCount: z.number().int().nonnegative(),
  original: z.strictObject({
    stream: z.string(),
    subject: z.string(),
    sequence: z.number().int().nonnegative(),
    headers: z.record(z.string(), z.string()),
    /** The payload as received, UTF-8 (or base64 when `encoding` says so). */
    payload: z.string(),
    encoding: z.enum(['utf8', 'base64']),
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
    datacontenttype: z.literal('application/json').optional(),
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
  datacontenttype?: 'application/json';
  data: T;
  [extension: string]: unknown;
}

export const schemasByType = {
  [EventTypes.resource]: resourceEventSchema,
  [EventTypes.notification]: notificationEventSchema,
  [EventTypes.deliveryResult]: deliveryResultEventSchema,
  [EventTypes.deadLetter]: deadLetterEventSchema,
} as const;

/** JSON Schemas (draft 2020-12) of every envelope, for plugins written in other languages. */
export function eventJsonSchemas(): Record<EventType, unknown> {
  const out = {} as Record<EventType, unknown>;
  for (const [type, schema] of Object.entries(schemasByType)) {
    out[type as EventType] = { $id: `https://herald.dev/schemas/${type}.json`, ...z.toJSONSchema(schema) };
  }
  return out;
}
