import { EventTypes, type EventType } from '@herald/plugin-sdk';
import { z } from 'zod';

/**
 * The SDK's envelope and data schemas (plugins/sdk/src/events.ts), as plain checks that read a value and
 * copy nothing. Every message Herald itself wrote passes them; the bus uses them first on each publish and
 * each consume, and asks zod only when they fail (for the reason, and for what they are stricter about).
 * Why: zod's parse builds a copy of the whole envelope (the watched object included, key by key) on every
 * hop, and that copy was most of what a hop allocated (docs/benchmarks.md "Fourth wave").
 *
 * Each check accepts no more than its schema does (event-shapes.test.ts holds them side by side): a value
 * that passes here would pass zod too. They may accept less (a record whose prototype is not Object's).
 */

type Obj = Record<string, unknown>;

const datetime = z.regexes.datetime({ offset: true, local: false, precision: null });
const jsonContentType = /^application\/json\b/;

function isObj(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isOptional = (v: unknown, check: (x: unknown) => boolean) => v === undefined || check(v);
const isString = (v: unknown) => typeof v === 'string';
const isDatetime = (v: unknown) => typeof v === 'string' && datetime.test(v);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

function isRecordOf(v: unknown, check: (x: unknown) => boolean): boolean {
  if (!isObj(v)) return false;
  for (const key in v) if (!check(v[key])) return false;
  return true;
}

function isRef(v: unknown): boolean {
  return (
    isObj(v) &&
    typeof v.group === 'string' &&
    isText(v.version) &&
    isText(v.resource) &&
    isText(v.kind) &&
    isOptional(v.namespace, isString) &&
    isText(v.name) &&
    isText(v.uid)
  );
}

const isSecretRef = (v: unknown) =>
  isObj(v) && isOptional(v.name, isText) && isOptional(v.namespace, isText) && isOptional(v.file, isText) && isText(v.key);

function isDestination(v: unknown): boolean {
  return (
    isObj(v) &&
    isText(v.serviceType) &&
    isText(v.service) &&
    typeof v.recipient === 'string' &&
    isOptional(v.options, isObj) &&
    isOptional(v.secretRefs, (r) => isRecordOf(r, isSecretRef)) &&
    isOptional(v.configNamespace, isText)
  );
}

const actions = new Set(['ADDED', 'MODIFIED', 'DELETED']);

const isResourceEventData = (d: Obj) =>
  actions.has(d.action as string) && isRef(d.ref) && isText(d.resourceVersion) && isObj(d.object) && isOptional(d.observedAt, isDatetime);

const isClaimStamp = (c: unknown) => isObj(c) && typeof c.at === 'number' && c.at >= 0 && isOptional(c.rv, isString);

const isNotificationData = (d: Obj) =>
  isText(d.trigger) &&
  isText(d.conditionKey) &&
  isText(d.template) &&
  isDestination(d.destination) &&
  isText(d.stateKey) &&
  isText(d.idempotencyKey) &&
  isCount(d.claimRevision) &&
  isOptional(d.claim, isClaimStamp) &&
  isRef(d.ref) &&
  isObj(d.rendered) &&
  isOptional(d.observedAt, isDatetime);

const isDeliveryError = (e: unknown) => isObj(e) && typeof e.code === 'string' && typeof e.message === 'string' && typeof e.retryable === 'boolean';

const isDeliveryResultData = (d: Obj) =>
  isText(d.idempotencyKey) &&
  isCount(d.claimRevision) &&
  isOptional(d.claim, isClaimStamp) &&
  isText(d.stateKey) &&
  isText(d.trigger) &&
  isDestination(d.destination) &&
  isRef(d.ref) &&
  typeof d.succeeded === 'boolean' &&
  isCount(d.attempts) &&
  (d.attempts as number) > 0 &&
  isOptional(d.error, isDeliveryError);

const isOriginal = (o: unknown) =>
  isObj(o) &&
  typeof o.stream === 'string' &&
  typeof o.subject === 'string' &&
  isCount(o.sequence) &&
  isRecordOf(o.headers, isString) &&
  typeof o.payload === 'string' &&
  (o.encoding === 'utf8' || o.encoding === 'base64') &&
  isOptional(o.truncated, (t) => typeof t === 'boolean');

const isDeadLetterData = (d: Obj) => isText(d.reason) && isText(d.code) && isText(d.consumer) && isCount(d.deliveryCount) && isOriginal(d.original);

const dataChecks: Record<EventType, (d: Obj) => boolean> = {
  [EventTypes.resource]: isResourceEventData,
  [EventTypes.notification]: isNotificationData,
  [EventTypes.deliveryResult]: isDeliveryResultData,
  [EventTypes.deadLetter]: isDeadLetterData,
};

/** Whether `data` is the data of a `type` event, as its SDK schema says; false sends the caller to zod. */
export function isEventData(type: EventType, data: unknown): boolean {
  return isObj(data) && dataChecks[type](data);
}

/** Whether `value` is a CloudEvents envelope of `type` around valid data, as the SDK's envelope schema says. */
export function isEnvelope(type: EventType, value: unknown): boolean {
  return (
    isObj(value) &&
    value.specversion === '1.0' &&
    isText(value.id) &&
    isText(value.source) &&
    value.type === type &&
    isOptional(value.subject, isString) &&
    isDatetime(value.time) &&
    isOptional(value.datacontenttype, (c) => typeof c === 'string' && jsonContentType.test(c)) &&
    isEventData(type, value.data)
  );
}
