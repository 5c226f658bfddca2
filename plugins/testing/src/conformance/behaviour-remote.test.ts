import { expect, it } from 'vitest';
import { memoryRemote, memorySink } from '../__fixtures__/memory-remote.ts';
import { behaviourRemote } from './behaviour-remote.ts';
import { runSinkConformance, SINK_CONFORMANCE_CHECKS, type RemoteFailure } from './run-sink-conformance.ts';

type Behaviour = { fail: Exclude<RemoteFailure, 'hang'>; retryAfterMs?: number } | 'hang';

// The memory remote as a fake server that takes behaviours, as the fakes of test/harness do.
function fakeServer() {
  const remote = memoryRemote();
  return {
    remote,
    behave: (b: Behaviour) => void (b === 'hang' ? remote.failNext('hang') : remote.failNext(b.fail, b.retryAfterMs === undefined ? {} : { retryAfterMs: b.retryAfterMs })),
    reset: () => void remote.reset(),
    accepted: () => remote.accepted() as number,
  };
}

it("a fake server's behaviours make the kit's failures; the kit runs every check", async () => {
  const server = fakeServer();
  const report = await runSinkConformance({
    plugin: memorySink(server.remote),
    service: { type: 'memory', name: 'mem', config: { token: 'memory-token-51aa' } },
    secrets: ['memory-token-51aa'],
    remote: behaviourRemote<Behaviour>(server, {
      retryable: () => ({ fail: 'retryable' }),
      permanent: () => ({ fail: 'permanent' }),
      throttle: (ms) => ({ fail: 'throttle', ...(ms === undefined ? {} : { retryAfterMs: ms }) }),
      hang: () => 'hang',
    }),
    templateBlock: { valid: { text: 'hi' }, invalid: { txet: 'typo' } },
    hangDeadlineMs: 50,
    abortGraceMs: 200,
  });
  expect(report.passed).toEqual(SINK_CONFORMANCE_CHECKS);
});

it('a failure without a behaviour is one the server cannot make: its check is skipped', async () => {
  const server = fakeServer();
  const report = await runSinkConformance({
    plugin: memorySink(server.remote),
    service: { type: 'memory', name: 'mem', config: { token: 'memory-token-51aa' } },
    secrets: ['memory-token-51aa'],
    remote: behaviourRemote<Behaviour>(server, { retryable: () => ({ fail: 'retryable' }), permanent: () => ({ fail: 'permanent' }) }),
    templateBlock: { valid: {}, invalid: { x: 1 } },
  });
  expect(report.skipped.map((s) => s.split(':')[0])).toEqual(['retry-after', 'abort-on-hang']);
});
