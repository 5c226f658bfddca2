import { afterAll, afterEach, beforeAll } from 'vitest';
import { startReceiver, type Receiver } from './receiver.ts';
import { startSink, type TestSink } from './sink-harness.ts';

/** One receiver for a file's tests; read it inside tests (it starts in beforeAll). */
export interface SharedReceiver {
  readonly receiver: Receiver;
  /** startSink of sink-harness; the sink is stopped after the test. */
  startSink: typeof startSink;
}

/**
 * Registers the file's hooks: a receiver started before its tests and closed after them; after each test,
 * the sinks it started stopped, the recorded requests cleared, and the receiver answering 200 again.
 */
export function useSharedReceiver(): SharedReceiver {
  let receiver: Receiver | undefined;
  const sinks: TestSink[] = [];
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver?.close());
  afterEach(async () => {
    for (const sink of sinks.splice(0)) await sink.handle.stop();
    receiver!.requests.length = 0;
    receiver!.respond((_req, res) => res.end('ok'));
  });
  return {
    get receiver() {
      if (receiver === undefined) throw new Error('the shared receiver is read before its beforeAll started it');
      return receiver;
    },
    async startSink(...args) {
      const sink = await startSink(...args);
      sinks.push(sink);
      return sink;
    },
  };
}
