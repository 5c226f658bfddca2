import { describe, expect, it } from 'vitest';
import { Topology, encodeEnvelope, parseDeadLetter, type DeadLetter } from '@herald/core-bus';
import { EventTypes, type DeadLetterData } from '@herald/plugin-sdk';
import { aboutOf, listText, shorten, showText, summarize } from './dlq-format.ts';

const ref = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1' };
const envelope = (data: unknown) => JSON.stringify({ specversion: '1.0', id: 'x', source: 's', type: 't', time: '2026-11-25T01:39:27.574Z', data });

function letter(channel: string, payload: string, original: Partial<DeadLetterData['original']> = {}): DeadLetter {
  const data: DeadLetterData = {
    reason: 'permanent failure: 404\nNot Found',
    code: 'HERALD_ERR_DELIVERY_PERMANENT',
    consumer: 'herald-sink-webhook',
    deliveryCount: 3,
    original: { stream: 'HERALD_X', subject: `herald.${channel}.1`, sequence: 9, headers: { traceparent: '00-a-b-01' }, payload, encoding: 'utf8', ...original },
  };
  const bytes = encodeEnvelope({ id: 'dlq:HERALD_X:9:c', type: EventTypes.deadLetter, source: 'herald/bus', data });
  return parseDeadLetter({ seq: 12, subject: `herald.dlq.${channel}`, time: new Date('2026-11-25T01:39:27.574Z'), data: bytes }, new Topology());
}

describe('what a dead letter is about', () => {
  it.each([
    ['an event', 'events', envelope({ action: 'MODIFIED', ref }), { action: 'MODIFIED', object: 'Pod default/web-1' }],
    ['a cluster-scoped object', 'events', envelope({ action: 'ADDED', ref: { ...ref, kind: 'Namespace', namespace: undefined, name: 'prod' } }), { action: 'ADDED', object: 'Namespace prod' }],
    [
      'a notification',
      'notifications',
      envelope({ trigger: 'on-pod-ready', destination: { serviceType: 'slack', service: 'slack', recipient: 'alerts' }, ref }),
      { trigger: 'on-pod-ready', destination: 'slack:alerts', object: 'Pod default/web-1' },
    ],
    ['a result', 'results', envelope({ trigger: 't', destination: { service: 'webhook', recipient: '' }, ref, succeeded: false }), { trigger: 't', destination: 'webhook:', object: 'Pod default/web-1', succeeded: false }],
    ['a cut payload', 'events', envelope({ action: 'MODIFIED', ref }).slice(0, 40), {}],
    ['something else', 'events', '[1,2]', {}],
  ])('%s', (_, channel, payload, about) => {
    expect(aboutOf(letter(channel, payload))).toEqual(about);
  });
});

describe('herald dlq list and show output', () => {
  it('summarizes a letter, and one that is not a dead letter', () => {
    expect(summarize(letter('events', envelope({ action: 'MODIFIED', ref })))).toEqual({
      id: 12,
      time: '2026-11-25T01:39:27.574Z',
      channel: 'events',
      consumer: 'herald-sink-webhook',
      attempts: 3,
      code: 'HERALD_ERR_DELIVERY_PERMANENT',
      reason: 'permanent failure: 404\nNot Found',
      original: { stream: 'HERALD_X', subject: 'herald.events.1', sequence: 9, truncated: false },
      about: { action: 'MODIFIED', object: 'Pod default/web-1' },
    });
    const junk = parseDeadLetter({ seq: 3, subject: 'herald.dlq.events', time: new Date(0), data: new TextEncoder().encode('nope') }, new Topology());
    expect(summarize(junk)).toMatchObject({ id: 3, consumer: null, attempts: null, code: null, original: null, reason: expect.stringMatching(/^not a readable dead letter: not a JSON document/) });
    expect(listText([summarize(junk)]).split('\n')[1]).toMatch(/^3\s+1970-01-01T00:00:00Z\s+events\s+-\s+-\s+-\s+-\s+not a readable dead letter: /);
  });

  it('shortens reasons to one line', () => {
    expect(shorten('a\n  b')).toBe('a b');
    expect(shorten('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('shows the payload as pretty JSON, and says when it was cut', () => {
    const text = showText(letter('events', envelope({ action: 'MODIFIED', ref })));
    expect(text).toContain('  attempts:  3\n');
    expect(text).toContain('  headers:\n    traceparent: 00-a-b-01\n');
    expect(text).toMatch(/payload \(utf8, \d+ bytes\):\n\{\n {2}"specversion": "1.0",/);
    const cut = showText(letter('events', '{"specversion":"1.0","id":', { truncated: true }));
    expect(cut).toContain("payload (utf8, 26 bytes, TRUNCATED to fit the dead-letter stream (the whole original stays in HERALD_X at sequence 9 until that stream's max age)):\n{\"specversion\":\"1.0\",\"id\":");
  });

  it('says when the original was never stored (a source dead-lettered an object it could not publish)', () => {
    const text = showText(letter('events', envelope({ action: 'ADDED', ref }), { sequence: 0, truncated: true }));
    expect(text).toContain('  original:  never stored in HERALD_X (subject herald.events.1)\n');
    expect(text).toMatch(/payload \(utf8, \d+ bytes, TRUNCATED to fit the dead-letter stream \(the whole original was never stored\)\):/);
  });
});
