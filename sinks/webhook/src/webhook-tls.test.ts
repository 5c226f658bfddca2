import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert, startReceiver, type Receiver } from './__fixtures__/receiver.ts';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/sink-harness.ts';

let receiver: Receiver;
let sink: TestSink;
const block = { method: 'POST', path: '/hook', body: 'secure' };
const post = notification({ webhook: { strict: block, lenient: block } });

beforeAll(async () => {
  receiver = await startReceiver(selfSignedCert());
  sink = await startSink();
});
afterAll(async () => {
  await sink.handle.stop();
  await receiver.close();
});

describe('webhook sink: HTTPS with a self-signed certificate', () => {
  it('refuses the certificate without insecureSkipVerify: permanent, after one try, no request', async () => {
    const err = await rejection(sink.send(post, { url: receiver.origin, retryWaitMin: 0, retryWaitMax: 0 }, { name: 'strict' }));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('TLS certificate not trusted');
    expect(err.message).toContain('insecureSkipVerify');
    expect(receiver.requests).toHaveLength(0);
    expect(receiver.connections).toBe(1);
  });

  it('delivers with insecureSkipVerify, for that service only', async () => {
    await sink.send(post, { url: receiver.origin, insecureSkipVerify: true }, { name: 'lenient' });
    expect(receiver.requests.map((r) => [r.method, r.url, r.body])).toEqual([['POST', '/hook', 'secure']]);

    // Another service to the same server still verifies: connections are not shared across services.
    const err = await rejection(sink.send(post, { url: receiver.origin, retryMax: 0 }, { name: 'strict' }));
    expect(err.retryable).toBe(false);
    expect(receiver.requests).toHaveLength(1);
  });
});
