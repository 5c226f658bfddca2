import { describe, expect, it } from 'vitest';
import type { DeadLetter, DeadLetterStore } from '@herald/core-bus';
import { retryLetter } from './dlq-retry.ts';

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
    const outcome = await retryLetter(letter, { store: {} as DeadLetterStore, dedup: nothing });
    expect(outcome).toEqual({
      id: 3,
      channel: 'events',
      outcome: 'refused',
      reason: 'its publisher could not publish it (HERALD_ERR_KUBE_OBJECT_TOO_DEEP) and kept only what it was about; fix the cause, and the next change is published',
    });
  });
});
