import { describe, expect, it } from 'vitest';
import { EventTypes, type DeadLetterData } from '@herald/plugin-sdk';
import { originalHeader, originalPayload, parseDeadLetter, retryHeaders, retryMessageId } from './dead-letters.ts';
import { encodeEnvelope } from './envelope.ts';
import { Topology, defaultTopology } from './topology.ts';

const topology = new Topology({ ...defaultTopology, subjectPrefix: 'acme.herald' });
const time = new Date('2026-11-25T01:39:27.574Z');

function letterData(original: Partial<DeadLetterData['original']> = {}): DeadLetterData {
  return {
    reason: 'permanent failure: 404',
    code: 'HERALD_ERR_DELIVERY_PERMANENT',
    consumer: 'herald-sink-webhook',
    deliveryCount: 1,
    original: { stream: 'HERALD_NOTIFICATIONS', subject: 'acme.herald.notifications.webhook.3', sequence: 42, headers: {}, payload: '{}', encoding: 'utf8', ...original },
  };
}

function stored(data: unknown, subject = 'acme.herald.dlq.notifications') {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : encodeEnvelope({ id: 'dlq:HERALD_NOTIFICATIONS:42:herald-sink-webhook', type: EventTypes.deadLetter, source: 'herald/bus', data });
  return { seq: 7, subject, time, data: bytes };
}

describe('parseDeadLetter', () => {
  it('reads a dead letter, its origin channel from its subject under the configured prefix', () => {
    expect(parseDeadLetter(stored(letterData()), topology)).toEqual({
      id: 7,
      time,
      subject: 'acme.herald.dlq.notifications',
      channel: 'notifications',
      letterId: 'dlq:HERALD_NOTIFICATIONS:42:herald-sink-webhook',
      data: letterData(),
    });
  });

  it.each([
    ['not JSON', 'garbage', /^not a JSON document/],
    ['another type', JSON.stringify({ specversion: '1.0', id: 'x', source: 's', type: 'io.herald.resource.v1', time: time.toISOString(), data: {} }), /^invalid io\.herald\.dead-letter\.v1 envelope at type/],
    ['a letter without its original', JSON.stringify({ specversion: '1.0', id: 'x', source: 's', type: EventTypes.deadLetter, time: time.toISOString(), data: { reason: 'r', code: 'c', consumer: 'c', deliveryCount: 1 } }), /at data\.original/],
  ])('keeps %s as a letter with the problem, without data', (_, text, problem) => {
    const letter = parseDeadLetter(stored(text), topology);
    expect(letter).toMatchObject({ id: 7, channel: 'notifications' });
    expect(letter.data).toBeUndefined();
    expect(letter.problem).toMatch(problem);
  });
});

describe('retrying an original', () => {
  it.each([
    ['its own id with a retry suffix', { 'Nats-Msg-Id': 'uid-1:7:MODIFIED' }, 'uid-1:7:MODIFIED:retry:7'],
    ['the header in any case', { 'nats-msg-id': 'uid-1:7:MODIFIED' }, 'uid-1:7:MODIFIED:retry:7'],
    ['stream and sequence when it had no id', {}, 'HERALD_NOTIFICATIONS:42:retry:7'],
  ])('gets a new message id: %s', (_, headers, id) => {
    const letter = parseDeadLetter(stored(letterData({ headers })), topology);
    expect(retryMessageId(letter as typeof letter & { data: DeadLetterData })).toBe(id);
  });

  it('keeps the trace context and content type, not the server headers', () => {
    const data = letterData({ headers: { 'Nats-Msg-Id': 'old', traceparent: '00-abc-def-01', 'Content-Type': 'application/cloudevents+json', 'Nats-Expected-Stream': 'X' } });
    const h = retryHeaders(data, 'new');
    expect(Object.fromEntries([...h.keys()].map((k) => [k, h.get(k)]))).toEqual({ traceparent: '00-abc-def-01', 'Content-Type': 'application/cloudevents+json', 'Nats-Msg-Id': 'new' });
    expect(originalHeader(data, 'TRACEPARENT')).toBe('00-abc-def-01');
  });

  it('decodes the payload as it was received', () => {
    expect(new TextDecoder().decode(originalPayload(letterData({ payload: '{"é":1}' })))).toBe('{"é":1}');
    expect([...originalPayload(letterData({ payload: '//4B', encoding: 'base64' }))]).toEqual([0xff, 0xfe, 0x01]);
  });
});
