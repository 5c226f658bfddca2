import { describe, expect, it } from 'vitest';
import { EventTypes, eventJsonSchemas, resourceEventSchema } from './events.ts';

const validEvent = {
  specversion: '1.0',
  id: 'uid-1:42:ADDED',
  source: 'herald/source/kubernetes',
  type: EventTypes.resource,
  subject: 'default/web-1',
  time: '2026-11-25T01:00:00.000Z',
  datacontenttype: 'application/json',
  data: {
    action: 'ADDED',
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'uid-1' },
    resourceVersion: '42',
    object: { metadata: { name: 'web-1' } },
  },
};

describe('resource event envelope', () => {
  it('accepts a CloudEvents 1.0 envelope with extension attributes', () => {
    expect(resourceEventSchema.safeParse({ ...validEvent, partitionkey: 'x' }).success).toBe(true);
  });

  it.each([
    ['specversion', { ...validEvent, specversion: '0.3' }],
    ['type', { ...validEvent, type: EventTypes.notification }],
    ['time', { ...validEvent, time: 'yesterday' }],
    ['data.action', { ...validEvent, data: { ...validEvent.data, action: 'UPDATED' } }],
    ['data.ref.uid', { ...validEvent, data: { ...validEvent.data, ref: { ...validEvent.data.ref, uid: '' } } }],
  ])('rejects a bad %s and names it', (path, event) => {
    const result = resourceEventSchema.safeParse(event);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join('.')).toBe(path);
  });
});

describe('JSON Schemas for other languages', () => {
  it('publishes one schema per event type, requiring the CloudEvents attributes', () => {
    const schemas = eventJsonSchemas() as Record<string, { $id: string; required: string[]; properties: Record<string, unknown> }>;
    expect(Object.keys(schemas).sort()).toEqual(Object.values(EventTypes).sort());
    const resource = schemas[EventTypes.resource]!;
    expect(resource.$id).toBe('https://herald.dev/schemas/io.herald.resource.v1.json');
    expect(resource.required).toEqual(expect.arrayContaining(['specversion', 'id', 'source', 'type', 'time', 'data']));
    expect(resource.properties.type).toEqual({ type: 'string', const: EventTypes.resource });
  });
});
