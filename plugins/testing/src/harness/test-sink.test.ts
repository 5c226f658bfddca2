import { describe, expect, it } from 'vitest';
import { memoryRemote, memorySink } from '../__fixtures__/memory-remote.ts';
import { sampleNotification } from '../fakes/sample-notification.ts';
import { rejectionOf } from './rejection.ts';
import { startTestSink } from './test-sink.ts';

describe('startTestSink', () => {
  it('sends with the service options parsed by the sink, to a service of its type', async () => {
    const remote = memoryRemote();
    const sink = await startTestSink(memorySink(remote));
    await sink.send(sampleNotification(), { token: 'abcd-1234' });
    expect(remote.accepted()).toBe(1);
    await sink.handle.stop();
  });

  it("refuses service options the sink's schema refuses, as Herald does when the config loads", async () => {
    const sink = await startTestSink(memorySink(memoryRemote()));
    const err = await rejectionOf(sink.send(sampleNotification(), { tokn: 'x' } as never));
    expect(err.message).toContain('tokn');
  });

  it("rejectionOf: the sink's DeliveryError, with what Herald reads from it", async () => {
    const remote = memoryRemote();
    const sink = await startTestSink(memorySink(remote));
    await remote.failNext('throttle', { retryAfterMs: 1_500 });
    expect(await rejectionOf(sink.send(sampleNotification(), { token: 'abcd-1234' }))).toMatchObject({ retryable: true, retryAfterMs: 1_500 });
    await expect(rejectionOf(Promise.resolve())).rejects.toThrow('expected a rejection, but it resolved');
  });
});
