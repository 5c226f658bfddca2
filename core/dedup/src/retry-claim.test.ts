import { describe, expect, it } from 'vitest';
import type { Claim } from './claim-codec.ts';
import { viewClaim } from './claim-view.ts';
import { decideRetryClaim } from './retry-claim.ts';

const letterRevision = 40;
const marker = 'dlq-retry:HERALD_DEAD_LETTERS:7';
const now = 1_000_000_000;
const window = 120_000;
const claim = (c: Claim, revision: number) => ({ ...c, revision });

describe('what retrying a dead-lettered notification does with its claim', () => {
  it.each([
    ['no claim (released after the failure): claim it again', undefined, { action: 'create' }],
    ['the failed send’s own claim, not released yet: replace it', claim({ status: 'pending', at: 1, event: 'e1' }, 40), { action: 'take-over', revision: 40 }],
    ['a claim made since, sent', claim({ status: 'sent', at: 2 }, 55), { action: 'skip', revision: 55, reason: 'already sent again since (claim sent at revision 55)' }],
    ['a claim made since, still pending', claim({ status: 'pending', at: 2, event: 'e2' }, 56), { action: 'skip', revision: 56, reason: 'already sent again since (claim pending at revision 56)' }],
    ['the failed send’s revision, but sent (cannot happen: updates change it)', claim({ status: 'sent', at: 1 }, 40), { action: 'skip', revision: 40, reason: 'already sent again since (claim sent at revision 40)' }],
    ['an adopted Argo claim', claim({ status: 'adopted', at: 1 }, 3), { action: 'skip', revision: 3, reason: 'already sent again since (claim adopted at revision 3)' }],
    ['an unreadable claim (counts as sent)', viewClaim({ value: '{', revision: 9 }), { action: 'skip', revision: 9, reason: 'already sent again since (claim sent at revision 9)' }],
    ['an unconfirmed earlier retry of this letter, within the duplicate window: publish again', claim({ status: 'pending', at: now / 1000 - 60, event: marker }, 61), { action: 'resume', revision: 61 }],
  ])('%s', (_, current, decision) => {
    expect(decideRetryClaim(current, letterRevision, marker, now, window)).toEqual(decision);
  });

  it('refuses to publish an unconfirmed earlier retry again once the duplicate window is over', () => {
    const decision = decideRetryClaim(claim({ status: 'pending', at: now / 1000 - 118, event: marker }, 61), letterRevision, marker, now, window);
    expect(decision).toMatchObject({ action: 'refuse', reason: expect.stringContaining('could be delivered twice') });
  });
});
