import { JetStreamApiError } from '@nats-io/jetstream';
import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { isBusUnavailable } from './bus-unavailable.ts';
import { BusError, BusErrorCodes } from './errors.ts';

// The errors as nats.js 3.4 builds them; the real server's no-responders is in bus.int.test.ts.
const api = (errCode: number, description: string) => new JetStreamApiError({ err_code: errCode, code: errCode === 10071 ? 400 : 503, description });
const noResponders = () => new RequestError('no responders', { cause: new NoRespondersError('$KV.STATE.a.b') });

describe('a failure the bus is to blame for, for now', () => {
  it('is no responders, however deep in the causes (a JetStream publish wraps it as "jetstream is not enabled")', () => {
    expect(isBusUnavailable(new NoRespondersError('$JS.API.STREAM.INFO.S'))).toBe(true);
    expect(isBusUnavailable(noResponders())).toBe(true);
    expect(isBusUnavailable(new Error('jetstream is not enabled', { cause: noResponders() }))).toBe(true);
    expect(isBusUnavailable(new BusError(BusErrorCodes.publishRejected, 'cannot publish', { retryable: true, cause: noResponders() }))).toBe(true);
  });

  it('is JetStream saying it is temporarily unavailable: no meta leader, or a new leader not caught up for a compare-and-set', () => {
    expect(isBusUnavailable(api(10008, 'JetStream system temporarily unavailable'))).toBe(true);
    expect(isBusUnavailable(api(10163, 'expected last sequence per subject temporarily unavailable'))).toBe(true);
    expect(isBusUnavailable(new Error('claim failed', { cause: api(10008, 'JetStream system temporarily unavailable') }))).toBe(true);
  });

  it("is a request nats.js gave up waiting for, however deep in the causes", () => {
    expect(isBusUnavailable(new TimeoutError())).toBe(true);
    expect(isBusUnavailable(new BusError(BusErrorCodes.publishRejected, 'cannot publish', { retryable: true, cause: new TimeoutError() }))).toBe(true);
    // The publisher's retries of those, given up at its deadline (waiting for a publish slot too: no cause).
    expect(isBusUnavailable(new BusError(BusErrorCodes.publishTimeout, 'no acknowledgement for e1 on herald.events.3 within 10000 ms', { retryable: true }))).toBe(true);
  });

  it('is not anything else: a refused compare-and-set, a full stream, a timeout of something else, a request error of another kind, a handler error', () => {
    expect(isBusUnavailable(api(10071, 'wrong last sequence: 7'))).toBe(false);
    expect(isBusUnavailable(api(10077, 'maximum bytes exceeded'))).toBe(false);
    expect(isBusUnavailable(Object.assign(new Error('timeout'), { name: 'TimeoutError' }))).toBe(false);
    expect(isBusUnavailable(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(false);
    expect(isBusUnavailable(new RequestError('cancelled'))).toBe(false);
    expect(isBusUnavailable(new BusError(BusErrorCodes.publishRejected, 'the stream refused e1: message size exceeds maximum allowed'))).toBe(false);
    expect(isBusUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isBusUnavailable(undefined)).toBe(false);
  });
});
