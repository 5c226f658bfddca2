import { describe, expect, it } from 'vitest';
import { encodeEnvelope, type DeadLetter } from '@herald/core-bus';
import { EventTypes, type Logger, type NotificationData } from '@herald/plugin-sdk';
import type { Claim } from './claim-codec.ts';
import type { ClaimView } from './claim-view.ts';
import { deliveredSince, removeDeliveredLetters } from './delivered-letters.ts';

const claim = (c: Claim, revision: number): ClaimView => ({ ...c, revision });

describe('whether a dead-lettered notification was delivered since', () => {
  it.each([
    ['no claim: the condition is false now, or it failed again', undefined, false],
    ['the failed send’s own claim, not released yet', claim({ status: 'pending', at: 1, event: 'e1' }, 40), false],
    ['a claim made since, being sent', claim({ status: 'pending', at: 2, event: 'e2' }, 56), false],
    ['a claim made since, sent', claim({ status: 'sent', at: 2 }, 55), true],
    ['sent, at the failed revision (cannot happen: a settle changes the revision)', claim({ status: 'sent', at: 1 }, 40), false],
  ])('%s: %s', (_, current, expected) => {
    expect(deliveredSince(current, 40)).toBe(expected);
  });
});

describe('removeDeliveredLetters', () => {
  const notification = (name: string, claimRevision: number): NotificationData => ({
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', uid: `uid-${name}`, namespace: 'shop', name },
    stateKey: `on-ready:abc:hook:${name}`,
    idempotencyKey: `k-${name}`,
    claimRevision,
    trigger: 'on-ready',
    conditionKey: '[0].abc',
    template: 'ready',
    destination: { serviceType: 'webhook', service: 'hook', recipient: '' },
    rendered: { message: 'ready' },
  });
  let seq = 0;
  const letter = (n: NotificationData | string): DeadLetter => {
    const payload = typeof n === 'string' ? n : Buffer.from(encodeEnvelope({ id: `id-${++seq}`, source: 'test', type: EventTypes.notification, data: n })).toString('utf8');
    const data = { reason: 'answered 400', code: 'HERALD_ERR_DELIVERY_PERMANENT', consumer: 'herald-sink-webhook', deliveryCount: 1, original: { stream: 'N', subject: 'herald.notifications.webhook.0', sequence: seq, headers: {}, payload, encoding: 'utf8' as const } };
    return { id: ++seq, time: new Date(0), subject: `herald.dlq.notifications.${String(seq).padStart(4, '0')}`, channel: 'notifications', data };
  };
  const logger = () => {
    const lines: unknown[][] = [];
    return { lines, logger: { info: (...a: unknown[]) => lines.push(a), warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => logger().logger } as unknown as Logger };
  };

  it('removes the letters of notifications sent since, and only those, naming each in the log', async () => {
    const letters = [letter(notification('recovered', 10)), letter(notification('still-failing', 11)), letter(notification('being-sent', 12)), letter('not a notification')];
    const claims: Record<string, ClaimView> = {
      'uid-recovered': claim({ status: 'sent', at: 5 }, 30),
      'uid-being-sent': claim({ status: 'pending', at: 5, event: 'e' }, 31),
    };
    const removed: number[] = [];
    const { lines, logger: log } = logger();
    const { removed: count, next } = await removeDeliveredLetters({
      letters: async (limit) => letters.slice(0, limit),
      remove: async (l) => (removed.push(l.id), 1),
      read: async (uid, key) => (key.endsWith(uid.slice(4)) ? claims[uid] : undefined),
      logger: log,
    });
    expect(count).toBe(1);
    expect(next).toBeUndefined();
    expect(removed).toEqual([letters[0]!.id]);
    expect(lines).toEqual([[expect.objectContaining({ object: 'shop/recovered', trigger: 'on-ready', letter: letters[0]!.id, claimRevision: 30 }), 'dead letter removed: its notification was delivered since']]);
  });

  it('looks at no more letters than its limit, and the next sweep goes on after the last it looked at', async () => {
    const letters = [letter(notification('a', 1)), letter(notification('b', 1)), letter(notification('c', 1))];
    const asked: [number, string | undefined][] = [];
    const sweep = (after?: string) =>
      removeDeliveredLetters({
        letters: async (limit, from) => (asked.push([limit, from]), letters.filter((l) => from === undefined || l.subject > from).slice(0, limit)),
        remove: async () => 0,
        read: async () => undefined,
        logger: logger().logger,
        limit: 2,
        ...(after ? { after } : {}),
      });
    const first = await sweep();
    expect(first).toEqual({ removed: 0, next: letters[1]!.subject });
    // The last of the letters: fewer than the limit, so the sweep after starts from the first again.
    expect(await sweep(first.next)).toEqual({ removed: 0 });
    expect(asked).toEqual([
      [2, undefined],
      [2, letters[1]!.subject],
    ]);
  });
});
