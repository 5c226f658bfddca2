import { schemasByType, type CloudEvent, type EventType } from '@herald/plugin-sdk';
import type { z } from 'zod';
import { isEnvelope } from './event-shapes.ts';

export const CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

// One of each per process, not one per message.
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface EnvelopeInput<T> {
  id: string;
  type: EventType;
  source: string;
  subject?: string;
  data: T;
  time?: Date;
}

/** Builds the CloudEvents 1.0 structured-mode envelope. */
export function encodeEnvelope<T>(input: EnvelopeInput<T>): Uint8Array {
  const event: CloudEvent<T> = {
    specversion: '1.0',
    id: input.id,
    source: input.source,
    type: input.type,
    ...(input.subject === undefined ? {} : { subject: input.subject }),
    time: (input.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data: input.data,
  };
  return encoder.encode(JSON.stringify(event));
}

export type DecodeResult<T> = { ok: true; event: CloudEvent<T> } | { ok: false; reason: string };

/**
 * Parses an envelope of the expected type once and checks it in place: what Herald wrote passes the plain
 * checks (event-shapes.ts) and is handed on as parsed, no copy. Anything else is judged by the SDK's zod
 * schema, whose first issue names the bad field in the reason.
 */
export function decodeEnvelope<T>(payload: Uint8Array, expected: EventType): DecodeResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch (err) {
    return { ok: false, reason: `not a JSON document: ${(err as Error).message}` };
  }
  if (isEnvelope(expected, value)) return { ok: true, event: value as CloudEvent<T> };
  const schema = schemasByType[expected] as z.ZodType;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
    return { ok: false, reason: `invalid ${expected} envelope at ${path}: ${issue.message}` };
  }
  return { ok: true, event: parsed.data as CloudEvent<T> };
}
