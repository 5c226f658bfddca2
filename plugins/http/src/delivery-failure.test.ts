import { DeliveryError } from '@herald/plugin-sdk';
import { describe, expect, it } from 'vitest';
import { deliveryFailure } from './delivery-failure.ts';

describe('deliveryFailure', () => {
  it('keeps a DeliveryError as it is, with the secrets masked', () => {
    const failure = deliveryFailure(DeliveryError.permanent('webex: 401 for token s3cret'), 'webex "w"', ['s3cret']);
    expect(failure).toMatchObject({ retryable: false, message: 'webex: 401 for token ***' });
  });

  it('makes anything else transient, named by what was sent, without the secrets', () => {
    const failure = deliveryFailure(new TypeError('cannot read s3cret'), 'telegram "t": sendMessage to 42', ['s3cret']);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect(failure.retryable).toBe(true);
    expect(failure.message).toBe('telegram "t": sendMessage to 42: TypeError: cannot read ***');
  });
});
