import { describe, expect, it } from 'vitest';
import type { DeadLetter, DeadLetterStore } from '@herald/core-bus';
import { encodeClaim, type Claim } from '@herald/core-evaluator';
import type { NotificationData } from '@herald/plugin-sdk';
import { decideClaim, retryLetter } from './dlq-retry.ts';

const n = { claimRevision: 40 } as NotificationData;
const marker = 'dlq-retry:HERALD_DEAD_LETTERS:7';
const now = 1_000_000_000;
const window = 120_000;
const entry = (claim: Claim, revision: number) => ({ value: encodeClaim(claim), revision });

describe('what retrying a dead-lettered notification does with its claim', () => {
  it.each([
    ['no claim (released after the failure): claim it again', undefined, { action: 'create' }],
    ['the failed send’s own claim, not released yet: replace it', entry({ status: 'pending', at: 1, event: 'e1' }, 40), { action: 'take-over', revision: 40 }],
    ['a claim made since, sent', entry({ status: 'sent', at: 2 }, 55), { action: 'skip', revision: 55, reason: 'already sent again since (claim sent at revision 55)' }],
    ['a claim made since, still pending', entry({ status: 'pending', at: 2, event: 'e2' }, 56), { action: 'skip', revision: 56, reason: 'already sent again since (claim pending at revision 56)' }],
    ['the failed send’s revision, but sent (cannot happen: updates change it)', entry({ status: 'sent', at: 1 }, 40), { action: 'skip', revision: 40, reason: 'already sent again since (claim sent at revision 40)' }],
    ['an adopted Argo claim', entry({ status: 'adopted', at: 1 }, 3), { action: 'skip', revision: 3, reason: 'already sent again since (claim adopted at revision 3)' }],
    ['an unreadable claim (counts as sent)', { value: '{', revision: 9 }, { action: 'skip', revision: 9, reason: 'already sent again since (claim sent at revision 9)' }],
    ['an unconfirmed earlier retry of this letter, within the duplicate window: publish again', entry({ status: 'pending', at: now / 1000 - 60, event: marker }, 61), { action: 'resume', revision: 61 }],
  ])('%s', (_, current, decision) => {
    expect(decideClaim(current, n, marker, now, window)).toEqual(decision);
  });

  it('refuses to publish an unconfirmed earlier retry again once the duplicate window is over', () => {
    const decision = decideClaim(entry({ status: 'pending', at: now / 1000 - 118, event: marker }, 61), n, marker, now, window);
    expect(decision).toMatchObject({ action: 'refuse', reason: expect.stringContaining('could be delivered twice') });
  });
});

describe('retrying a letter whose original was never stored', () => {
  it('refuses it and keeps the letter: it holds only what the object was, not the event', async () => {
    const letter: DeadLetter = {
      id: 3,
      time: new Date(0),
      subject: 'herald.dlq.events',
      channel: 'events',
      data: {
        reason: 'widgets.v1.example.com ns/deep (uid u, resourceVersion 7) is nested 6001 levels deep, more than the 512 Herald accepts',
        code: 'HERALD_ERR_KUBE_OBJECT_TOO_DEEP',
        consumer: 'herald/source/kubernetes',
        deliveryCount: 0,
        original: { stream: 'HERALD_EVENTS', subject: 'herald.events.3', sequence: 0, headers: {}, payload: '{}', encoding: 'utf8', truncated: true },
      },
    };
    const nothing = () => Promise.reject(new Error('must not be used'));
    const outcome = await retryLetter(letter, { store: {} as DeadLetterStore, state: nothing });
    expect(outcome).toEqual({
      id: 3,
      channel: 'events',
      outcome: 'refused',
      reason: 'its publisher could not publish it (HERALD_ERR_KUBE_OBJECT_TOO_DEEP) and kept only what it was about; fix the cause, and the next change is published',
    });
  });
});
