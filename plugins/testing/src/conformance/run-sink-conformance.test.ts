import { describe, expect, it } from 'vitest';
import { memoryRemote, memorySink, type Flaws } from '../__fixtures__/memory-remote.ts';
import { SinkConformanceError } from '../errors.ts';
import { runSinkConformance } from './run-sink-conformance.ts';

const TOKEN = 'memory-token-51aa';

function run(flaws: Flaws = {}) {
  const remote = memoryRemote();
  return runSinkConformance({
    plugin: memorySink(remote, flaws),
    service: { type: 'memory', name: 'mem', config: { token: TOKEN } },
    secrets: [TOKEN],
    remote,
    templateBlock: { valid: { text: 'hi' }, invalid: { text: 'hi', txet: 'typo' } },
    hangDeadlineMs: 50,
    abortGraceMs: 200,
  });
}

describe('runSinkConformance', () => {
  it('passes a sink that keeps the contract, listing the checks', async () => {
    expect(await run()).toEqual({
      passed: ['template-schema', 'first-send-delivers', 'retryable-failure', 'permanent-failure', 'retry-after', 'abort-on-hang', 'delivers-after-failures', 'stop-idempotent', 'no-secret-leak'],
      skipped: [],
    });
  });

  it.each<[string, Flaws, string]>([
    ['a send that resolves without delivering', { neverDelivers: true }, 'first-send-delivers'],
    ['a refused send reported as retryable', { permanentIsRetryable: true }, 'permanent-failure'],
    ['a lost Retry-After', { dropRetryAfter: true }, 'retry-after'],
    ['a send that ignores its abort signal', { ignoreAbort: true }, 'abort-on-hang'],
    ['a template schema that takes unknown fields', { looseTemplate: true }, 'template-schema'],
    ['a second stop() that throws', { stopTwiceThrows: true }, 'stop-idempotent'],
    ['a secret in a log line', { leakSecret: true }, 'no-secret-leak'],
  ])('fails %s, naming the check', async (_what, flaws, check) => {
    const err = await run(flaws).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SinkConformanceError);
    expect(err).toMatchObject({ check });
    expect((err as Error).message).toMatch(new RegExp(`^sink conformance: ${check}: `));
    expect((err as Error).message).not.toContain(TOKEN);
  });

  it('skips the checks of failures the remote cannot make', async () => {
    const remote = { ...memoryRemote(), failures: ['retryable', 'permanent'] as const };
    const report = await runSinkConformance({
      plugin: memorySink(remote),
      service: { type: 'memory', name: 'mem', config: { token: TOKEN } },
      secrets: [TOKEN],
      remote,
      templateBlock: { valid: {}, invalid: { x: 1 } },
    });
    expect(report.skipped.map((s) => s.split(':')[0])).toEqual(['retry-after', 'abort-on-hang']);
  });
});
