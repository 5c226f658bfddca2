import { describe, expect, it } from 'vitest';
import { EventTypes, schemasByType, type EventType } from '@herald/plugin-sdk';
import { decodeEnvelope, encodeEnvelope } from './envelope.ts';
import { isEnvelope } from './event-shapes.ts';

const ref = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web', uid: 'uid-1' };
const destination = { serviceType: 'webhook', service: 'hook', recipient: '' };
const externalDestination = { serviceType: 'python', service: 'py', recipient: 'ops', options: { url: '$url' }, secretRefs: { url: { name: 's', namespace: 'herald', key: 'url' } } };

/** Data Herald's roles write, with every optional field absent in one and present in another. */
const data: Record<EventType, unknown[]> = {
  [EventTypes.resource]: [
    { action: 'MODIFIED', ref, resourceVersion: '42', object: { metadata: { name: 'web' }, status: { phase: 'Running' } } },
    { action: 'ADDED', ref: { ...ref, group: 'apps', namespace: undefined }, resourceVersion: '1', object: {}, observedAt: '2026-12-04T22:00:00.123Z' },
  ],
  [EventTypes.notification]: [
    { trigger: 'on-ready', conditionKey: '[0].abc', template: 't', destination, stateKey: 'k', idempotencyKey: 'i', claimRevision: 0, ref, rendered: { message: 'hi' } },
    { trigger: 'on-ready', conditionKey: '[0].abc', template: 't', destination: externalDestination, stateKey: 'k', idempotencyKey: 'i', claimRevision: 7, claim: { at: 1767225600, rv: '42' }, ref, rendered: {}, observedAt: '2026-02-28T23:59:59+01:00' },
  ],
  [EventTypes.deliveryResult]: [
    { idempotencyKey: 'i', claimRevision: 3, stateKey: 'k', trigger: 'on-ready', destination, ref, succeeded: true, attempts: 1 },
    { idempotencyKey: 'i', claimRevision: 3, claim: { at: 1767225600 }, stateKey: 'k', trigger: 'on-ready', destination, ref, succeeded: false, attempts: 5, error: { code: 'E', message: 'm', retryable: false } },
  ],
  [EventTypes.deadLetter]: [
    { reason: 'r', code: 'c', consumer: 'evaluator', deliveryCount: 0, original: { stream: 'S', subject: 's', sequence: 0, headers: { a: 'b' }, payload: '{}', encoding: 'utf8' } },
    { reason: 'r', code: 'c', consumer: 'evaluator', deliveryCount: 2, original: { stream: 'S', subject: 's', sequence: 9, headers: {}, payload: 'AA==', encoding: 'base64', truncated: true } },
  ],
};

const envelopes = (type: EventType) => data[type].map((d, i) => JSON.parse(new TextDecoder().decode(encodeEnvelope({ id: `id-${i}`, type, source: 'herald/test', data: d, ...(i ? { subject: 'default/web' } : {}) }))) as unknown);

/** Values a field could wrongly have. */
const wrongValues: unknown[] = [undefined, null, '', 'x', 0, -1, 1.5, 2 ** 60, true, [], {}, ['x'], new Date(0), '2026-02-30T00:00:00Z', 'application/xml', 'DELETED', '1.0'];

/** Every copy of `value` with one field (at any depth) set to one of the wrong values or left out. */
function* mutants(value: unknown): Generator<unknown> {
  if (typeof value !== 'object' || value === null) return;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    for (const wrong of wrongValues) yield { ...value, [key]: wrong };
    const { [key]: _left, ...without } = value as Record<string, unknown>;
    yield without;
    for (const inner of mutants(v)) yield { ...value, [key]: inner };
  }
}

describe('the plain checks of what Herald writes', () => {
  for (const type of Object.values(EventTypes)) {
    it(`take every ${type} envelope Herald writes, and nothing its zod schema refuses`, () => {
      const schema = schemasByType[type];
      let refused = 0;
      for (const envelope of envelopes(type)) {
        expect(isEnvelope(type, envelope)).toBe(true);
        expect(schema.safeParse(envelope).success).toBe(true);
        for (const mutant of mutants(envelope)) {
          const zodTakes = schema.safeParse(mutant).success;
          if (isEnvelope(type, mutant)) expect({ mutant, zodTakes }).toEqual({ mutant, zodTakes: true });
          if (!zodTakes) refused++;
        }
      }
      // The mutations do reach what zod refuses, so the comparison above means something.
      expect(refused).toBeGreaterThan(50);
    });
  }
});

describe('decodeEnvelope', () => {
  it('hands on what Herald wrote as parsed, unknown fields of a newer publisher included', () => {
    const payload = encodeEnvelope({ id: 'a', type: EventTypes.resource, source: 'herald/test', data: { ...(data[EventTypes.resource][0] as object), addedLater: 1 } });
    const decoded = decodeEnvelope<Record<string, unknown>>(payload, EventTypes.resource);
    expect(decoded.ok && decoded.event.data).toMatchObject({ action: 'MODIFIED', resourceVersion: '42', addedLater: 1 });
  });

  it('names the bad field of anything else, as the schema finds it', () => {
    const bad = { ...(envelopes(EventTypes.notification)[0] as object), data: { ...(data[EventTypes.notification][0] as object), claimRevision: -1 } };
    expect(decodeEnvelope(new TextEncoder().encode(JSON.stringify(bad)), EventTypes.notification)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^invalid io\.herald\.notification\.v1 envelope at data\.claimRevision: /) as unknown,
    });
    expect(decodeEnvelope(new TextEncoder().encode('{"specversion":'), EventTypes.notification)).toMatchObject({ ok: false, reason: expect.stringMatching(/^not a JSON document/) as unknown });
  });
});
