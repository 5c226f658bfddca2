import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApiServer, eventually, startEndlessAnswerServer, startFakeGitHub, type FakeGitHub } from '@herald/test-harness';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/github-harness.ts';

let gh: FakeGitHub;
let sink: TestSink;
let service: { appID: number; installationID: string; privateKey: string; enterpriseBaseURL: string };

beforeAll(async () => {
  gh = await startFakeGitHub();
  service = { appID: gh.appId, installationID: String(gh.installationId), privateKey: gh.privateKey, enterpriseBaseURL: gh.apiUrl };
  sink = await startSink();
});
afterAll(async () => {
  await sink?.handle.stop();
  await gh?.close();
});
beforeEach(() => gh.reset());

const calls = () => gh.requests.map((r) => `${r.method} ${r.url}`);

describe('what GitHub receives', () => {
  it('a commit status: the installation token got with the App JWT (checked as GitHub does), then the status with Argo’s fields', async () => {
    const own = await startSink();
    await own.send(notification({ status: { state: 'success', label: 'continuous-delivery/web', targetURL: 'https://argocd.example.com/applications/web' } }), service);
    expect(calls()).toEqual(['POST /app/installations/5150/access_tokens', 'POST /repos/acme/web/statuses/abc123']);
    expect(gh.requests[0]!.headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i);
    expect(gh.requests[1]!.headers.authorization).toBe(`token ${gh.tokens.at(-1)}`);
    expect(gh.requests[1]!.body).toEqual({ state: 'success', description: 'Application web is Synced', context: 'continuous-delivery/web', target_url: 'https://argocd.example.com/applications/web' });
    await own.handle.stop();
  });

  it('keeps the installation token for later sends, and cuts the description at 140 characters as Argo does', async () => {
    const own = await startSink();
    await own.send(notification({ status: { state: 'pending', label: 'cd' } }), service);
    await own.send(notification({ status: { state: 'pending', label: 'cd' } }, 'x'.repeat(200)), service);
    await own.handle.stop();
    expect(calls()).toEqual(['POST /app/installations/5150/access_tokens', 'POST /repos/acme/web/statuses/abc123', 'POST /repos/acme/web/statuses/abc123']);
    expect((gh.requests.at(-1)!.body as { description: string }).description).toBe(`${'x'.repeat(137)}...`);
  });

  it('a deployment: created once for the revision and environment, a deployment status each time', async () => {
    const block = { deployment: { state: 'success', environment: 'production', environmentURL: 'https://web.example.com', logURL: 'https://argocd.example.com/web', requiredContexts: [] } };
    await sink.send(notification(block), service);
    await sink.send(notification(block), service);
    expect(calls().filter((c) => !c.includes('access_tokens'))).toEqual([
      'GET /repos/acme/web/deployments?ref=abc123&environment=production',
      'POST /repos/acme/web/deployments',
      `POST /repos/acme/web/deployments/${String(gh.state.deployments[0]!.id)}/statuses`,
      'GET /repos/acme/web/deployments?ref=abc123&environment=production',
      `POST /repos/acme/web/deployments/${String(gh.state.deployments[0]!.id)}/statuses`,
    ]);
    const create = gh.requests.find((r) => r.method === 'POST' && r.url === '/repos/acme/web/deployments')!;
    expect(create.body).toEqual({ ref: 'abc123', environment: 'production', required_contexts: [], auto_merge: true, transient_environment: false });
    expect(gh.state.deploymentStatuses.at(-1)).toMatchObject({ state: 'success', log_url: 'https://argocd.example.com/web', description: 'Application web is Synced', environment: 'production', environment_url: 'https://web.example.com' });
  });

  it('a tagged PR comment is created on each PR of the revision, then updated in place, even past the first page of comments', async () => {
    gh.pullRequestsFor('acme/web', 'c0ffee', [7, 8]);
    for (let i = 0; i < 35; i++) await seedComment(7, `chatter ${i}`);
    const block = (text: string) => ({ revisionPath: 'c0ffee', pullRequestComment: { content: text, commentTag: 'sync-web' } });
    await sink.send(notification(block('Synced to c0ffee')), service);
    await sink.send(notification(block('Synced again')), service);
    const tagged = gh.state.comments.filter((c) => c.body.includes('<!-- argocd-notifications sync-web -->'));
    expect(tagged.map((c) => [c.issue, c.body])).toEqual([
      [7, 'Synced again\n<!-- argocd-notifications sync-web -->\n<!-- argocd-notifications sync-web -->'],
      [8, 'Synced again\n<!-- argocd-notifications sync-web -->\n<!-- argocd-notifications sync-web -->'],
    ]);
    expect(calls().filter((c) => c.startsWith('PATCH'))).toHaveLength(2);
  });

  it('an untagged PR comment is a new comment each time', async () => {
    gh.pullRequestsFor('acme/web', 'beef01', [9]);
    await sink.send(notification({ revisionPath: 'beef01', pullRequestComment: { content: 'one' } }), service);
    await sink.send(notification({ revisionPath: 'beef01', pullRequestComment: { content: 'two' } }), service);
    expect(gh.state.comments.filter((c) => c.issue === 9).map((c) => c.body)).toEqual(['one', 'two']);
  });

  it('a check run with Argo’s external id; a conclusion alone makes it completed', async () => {
    await sink.send(
      notification({ checkRun: { name: 'argocd/web', details_url: 'https://argocd.example.com/web', conclusion: 'success', started_at: '2026-01-02T03:04:05Z', completed_at: '2026-01-02T03:05:00+01:00', output: { title: 'Synced', summary: 'web is Synced', text: 'details' } } }),
      service,
    );
    expect(gh.requests.at(-1)!.body).toEqual({
      name: 'argocd/web',
      head_sha: 'abc123',
      external_id: 'argocd-notifications',
      details_url: 'https://argocd.example.com/web',
      status: 'completed',
      conclusion: 'success',
      started_at: '2026-01-02T03:04:05Z',
      completed_at: '2026-01-02T02:05:00Z',
      output: { title: 'Synced', summary: 'web is Synced', text: 'details' },
    });
  });

  it('a repository dispatch with the rendered client payload as an object', async () => {
    await sink.send(notification({ repositoryDispatch: { event_type: 'argocd-sync', client_payload: '{"app": "web", "revision": "abc123"}' } }), service);
    expect(gh.requests.at(-1)).toMatchObject({ method: 'POST', url: '/repos/acme/web/dispatches', body: { event_type: 'argocd-sync', client_payload: { app: 'web', revision: 'abc123' } } });
  });

  it('everything in one template, in Argo’s order', async () => {
    gh.pullRequestsFor('acme/web', 'abc123', [3]);
    await sink.send(
      notification({
        status: { state: 'success', label: 'cd' },
        deployment: { state: 'success', environment: 'staging' },
        pullRequestComment: { content: 'hi' },
        checkRun: { name: 'cd', status: 'in_progress' },
        repositoryDispatch: { event_type: 'go' },
      }),
      service,
    );
    expect(calls().filter((c) => !c.includes('access_tokens')).map((c) => c.replace(/\d{4,}/, 'N'))).toEqual([
      'POST /repos/acme/web/statuses/abc123',
      'GET /repos/acme/web/deployments?ref=abc123&environment=staging',
      'POST /repos/acme/web/deployments',
      'POST /repos/acme/web/deployments/N/statuses',
      'GET /repos/acme/web/commits/abc123/pulls',
      'POST /repos/acme/web/issues/3/comments',
      'POST /repos/acme/web/check-runs',
      'POST /repos/acme/web/dispatches',
    ]);
  });
});

describe('what is refused before any request', () => {
  it.each([
    [{ checkRun: { name: 'x', status: 'completed' } }, 'github "github": template "pod-ready": github.checkRun: conclusion is required when status is completed or completed_at is set'],
    [{ checkRun: { name: 'x', conclusion: 'success', started_at: 'yesterday' } }, 'github "github": template "pod-ready": github.checkRun.started_at is not an RFC 3339 time: yesterday'],
    [{ repoURLPath: 'web' }, 'github "github": github.repoURLPath rendered to "web", which names no owner/repository'],
    [{ revisionPath: '' }, 'github "github": github.revisionPath rendered empty (no revision to report on)'],
  ])('%j', async (block, message) => {
    const err = await rejection(sink.send(notification(block), service));
    expect(err).toMatchObject({ retryable: false, message });
    expect(calls().filter((c) => !c.includes('access_tokens'))).toEqual([]);
  });
});

describe('what GitHub refuses', () => {
  it('a private key that is not the App’s: the token exchange answers 401, permanent, and no part of either key shows', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey: wrongKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const own = await startSink();
    const err = await rejection(own.send(notification({ status: { state: 'success', label: 'cd' } }), { ...service, privateKey: wrongKey }));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toMatch(/^github "github": create commit status on acme\/web@abc123: GitHub answered 401: A JSON web token could not be decoded/);
    const seen = [err.message, err.stack, String(err.cause), (err.cause as Error | undefined)?.stack, own.logger.text()].join('\n');
    for (const line of [...wrongKey.split('\n'), ...gh.privateKey.split('\n')].filter((l) => l.length > 20 && !l.startsWith('-----'))) expect(seen).not.toContain(line);
    await own.handle.stop();
  });

  it('an installation the App does not have is permanent (404)', async () => {
    const own = await startSink();
    const err = await rejection(own.send(notification({ status: { state: 'success' } }), { ...service, installationID: '999' }));
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('GitHub answered 404: Not Found') });
    await own.handle.stop();
  });

  it.each([
    [{ status: 404, message: 'Not Found' }, 'GitHub answered 404: Not Found'],
    [{ status: 403, message: 'Resource not accessible by integration' }, 'GitHub answered 403: Resource not accessible by integration'],
    [{ status: 422, message: 'Validation Failed' }, 'GitHub answered 422: Validation Failed'],
  ])('%j is permanent', async (behaviour, text) => {
    await sink.send(notification({ status: { state: 'success' } }), service); // token cached
    gh.behave(behaviour);
    const err = await rejection(sink.send(notification({ status: { state: 'success' } }), service));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toBe(`github "github": create commit status on acme/web@abc123: ${text}`);
  });

  it('a status state GitHub does not know is its 422 validation error, permanent', async () => {
    const err = await rejection(sink.send(notification({ status: { state: 'done' } }), service));
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('GitHub answered 422: Validation Failed (state is not included in the list)') });
  });
});

describe('what may pass later', () => {
  it('a secondary rate limit is retryable after its Retry-After', async () => {
    await sink.send(notification({ status: { state: 'success' } }), service);
    gh.behave({ secondaryRateLimit: 7 });
    const err = await rejection(sink.send(notification({ status: { state: 'success' } }), service));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 7_000, message: expect.stringContaining('secondary rate limit') });
  });

  it('an exhausted primary rate limit is retryable until x-ratelimit-reset', async () => {
    await sink.send(notification({ status: { state: 'success' } }), service);
    gh.behave({ primaryRateLimitResetIn: 120 });
    const err = await rejection(sink.send(notification({ status: { state: 'success' } }), service));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBeGreaterThan(110_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(121_000);
  });

  it('HTTP 500 is retryable, after one request', async () => {
    await sink.send(notification({ status: { state: 'success' } }), service);
    gh.reset();
    gh.behave('http-500');
    const err = await rejection(sink.send(notification({ status: { state: 'success' } }), service));
    expect(err).toMatchObject({ retryable: true, message: expect.stringContaining('GitHub answered 500') });
    expect(gh.requests).toHaveLength(1);
  });

  it('a GitHub that never answers is cut by the send signal, then by the service timeout', async () => {
    await sink.send(notification({ status: { state: 'success' } }), service);
    gh.behave('hang');
    const abort = new AbortController();
    const sending = rejection(sink.send(notification({ status: { state: 'success' } }), service, { signal: abort.signal }));
    abort.abort(new Error('delivery deadline passed'));
    expect(await sending).toMatchObject({ retryable: true, message: 'github "github": create commit status on acme/web@abc123 aborted: delivery deadline passed' });
    const timedOut = await rejection(sink.send(notification({ status: { state: 'success' } }), { ...service, timeout: '200ms' }, { name: 'slow' }));
    expect(timedOut).toMatchObject({ retryable: true, message: expect.stringMatching(/aborted: no answer within 200 ms$/) });
  });

  it('stop is idempotent, and a send after it fails as retryable without a request', async () => {
    const own = await startSink();
    await Promise.all([own.handle.stop(), own.handle.stop()]);
    expect(await rejection(own.send(notification({ status: { state: 'success' } }), service))).toMatchObject({ retryable: true, message: 'github "github": the sink is stopped' });
    expect(gh.requests).toHaveLength(0);
  });
});

it('an error answer whose body never ends is read no further than 16 MiB: retryable, the connection closed', async () => {
  const endless = await startEndlessAnswerServer(502);
  try {
    const err = await rejection(sink.send(notification({ status: { state: 'success' } }), { ...service, enterpriseBaseURL: endless.url, installationID: '777', timeout: '60s' }));
    expect(err).toMatchObject({ retryable: true, message: expect.stringContaining('GitHub answered 502') });
    await eventually(async () => expect(endless.cutOff()).toBe(1));
    expect(endless.bytesSent()).toBeLessThan(64 * 1024 * 1024);
  } finally {
    await endless.close();
  }
});

it('a token exchange that never gets an answer is cut by the service timeout and holds up no later send for the installation', async () => {
  const stalled = await startApiServer(() => 'hang');
  try {
    const first = await rejection(sink.send(notification({ status: { state: 'success' } }), { ...service, enterpriseBaseURL: stalled.origin, timeout: '200ms' }, { name: 'stalled' }));
    expect(first).toMatchObject({ retryable: true });
    expect(stalled.requests.map((r) => r.url)).toEqual([`/app/installations/${gh.installationId}/access_tokens`]);
    // The same installation on a GitHub that answers: sent, with a token of its own.
    await eventually(() => sink.send(notification({ status: { state: 'success' } }), { ...service, timeout: '2s' }), 5_000);
    expect(calls()).toEqual([`POST /app/installations/${gh.installationId}/access_tokens`, 'POST /repos/acme/web/statuses/abc123']);
  } finally {
    await stalled.close();
  }
});

/** A comment someone else wrote on a PR, straight into the fake's state (as GitHub would list it). */
async function seedComment(issue: number, body: string): Promise<void> {
  gh.state.comments.push({ id: 500_000 + gh.state.comments.length, issue, body, repo: 'acme/web' });
}
