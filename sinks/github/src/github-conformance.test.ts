import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSinkConformance, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeGitHub, type FakeGitHub, type GitHubBehaviour } from '@herald/test-harness';
import github from './github-sink.ts';

let gh: FakeGitHub;
beforeAll(async () => {
  gh = await startFakeGitHub();
});
afterAll(() => gh?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => GitHubBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => ({ status: 404, message: 'Not Found' }),
  throttle: (ms = 1_000) => ({ secondaryRateLimit: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local GitHub REST API', async () => {
  const report = await runSinkConformance({
    plugin: github,
    service: { type: 'github', name: 'github', config: { appID: String(gh.appId), installationID: gh.installationId, privateKey: gh.privateKey, enterpriseBaseURL: gh.apiUrl } },
    secrets: [gh.privateKey, ...gh.privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))],
    notification: {
      destination: { service: 'github', serviceType: 'github', recipient: '' },
      rendered: { message: 'Pod web-1 is ready', github: { repoURLPath: 'git@github.com:acme/web.git', revisionPath: 'abc123', status: { state: 'success', label: 'herald' } } },
    },
    templateBlock: { valid: { status: { state: 'success', label: 'cd', targetURL: 'https://x' }, pullRequestComment: { content: 'x', commentTag: 't' } }, invalid: { statuss: {} } },
    remote: {
      reset: () => gh.reset(),
      failNext: (kind, options) => gh.behave(behaviours[kind](options?.retryAfterMs)),
      accepted: () => gh.state.statuses.length,
    },
  });
  expect(report.passed).toEqual(['template-schema', 'first-send-delivers', 'retryable-failure', 'permanent-failure', 'retry-after', 'abort-on-hang', 'delivers-after-failures', 'stop-idempotent', 'no-secret-leak']);
});
