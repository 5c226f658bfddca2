import { describe, expect, it } from 'vitest';
import { DeliveryError, isDeliveryError } from './errors.ts';

describe('DeliveryError', () => {
  it('permanent: never retried, dead-lettered with its message and cause', () => {
    const cause = new Error('HTTP 404');
    const err = DeliveryError.permanent('teams "ops": the connector URL is gone', cause);
    expect(err).toMatchObject({ code: 'HERALD_ERR_DELIVERY_PERMANENT', retryable: false, message: 'teams "ops": the connector URL is gone', cause, retryAfterMs: undefined });
    expect(isDeliveryError(err)).toBe(true);
  });

  it('transient: retried, after the server’s Retry-After when it gave one', () => {
    expect(DeliveryError.transient('HTTP 429', { retryAfterMs: 1_500 })).toMatchObject({ code: 'HERALD_ERR_DELIVERY_TRANSIENT', retryable: true, retryAfterMs: 1_500 });
    const bare = DeliveryError.transient('connection reset');
    expect(bare).toMatchObject({ retryable: true, retryAfterMs: undefined });
    expect('cause' in bare).toBe(false);
  });

  it("aborted: retried, saying what was aborted and why, the signal's reason its cause", () => {
    const shutdown = new DOMException('slack sink stopped', 'AbortError');
    expect(DeliveryError.aborted('slack "ops": chat.postMessage', shutdown)).toMatchObject({ retryable: true, message: 'slack "ops": chat.postMessage aborted: slack sink stopped', cause: shutdown });
    expect(DeliveryError.aborted('webhook "hooks": POST', 'deadline')).toMatchObject({ retryable: true, message: 'webhook "hooks": POST aborted: deadline', cause: 'deadline' });
  });
});
