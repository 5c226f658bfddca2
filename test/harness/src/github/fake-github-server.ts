import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

/** One request the fake GitHub received. */
export interface GitHubRequest {
  method: string;
  /** Path and query, e.g. `/repos/acme/web/statuses/abc123`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * How the next API requests fail until `reset()` (the token exchange too): an answer with GitHub's error
 * shape, GitHub's secondary rate limit (403 with Retry-After), its primary one (403 with
 * x-ratelimit-remaining 0 and x-ratelimit-reset), HTTP 500, or no answer.
 */
export type GitHubBehaviour =
  | { status: number; message: string }
  | { secondaryRateLimit: number }
  | { primaryRateLimitResetIn: number }
  | 'http-500'
  | 'hang';

export interface FakeGitHub {
  /** Base URL of the REST API (what `enterpriseBaseURL` takes). */
  readonly apiUrl: string;
  readonly appId: number;
  readonly installationId: number;
  /** The App's private key (PKCS#1 PEM, as GitHub hands it out). */
  readonly privateKey: string;
  readonly requests: GitHubRequest[];
  /** Installation tokens issued. */
  readonly tokens: string[];
  /** State the API keeps, as GitHub would show it. */
  readonly state: {
    statuses: Record<string, unknown>[];
    deployments: Record<string, unknown>[];
    deploymentStatuses: Record<string, unknown>[];
    comments: { id: number; issue: number; body: string; repo: string }[];
    checkRuns: Record<string, unknown>[];
    dispatches: Record<string, unknown>[];
  };
  /** The pull requests (numbers) `GET /repos/:o/:r/commits/:sha/pulls` lists for a commit. */
  pullRequestsFor(repo: string, sha: string, numbers: number[]): void;
  behave(behaviour: GitHubBehaviour): void;
  /** Normal answers again; hung requests cut; requests forgotten (state kept). */
  reset(): void;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';

function base64url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/**
 * Checks an App JWT as GitHub does: RS256, signed by the App's key, `iss` the App ID, issued at most 60 s
 * ahead and expiring at most 10 minutes after it was issued, not expired. Returns why not, or undefined.
 */
function jwtProblem(token: string, publicKey: KeyObject, appId: number): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return 'A JSON web token could not be decoded';
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: string; typ?: string };
  let payload: { iss?: unknown; iat?: number; exp?: number };
  try {
    header = JSON.parse(base64url(h).toString('utf8')) as typeof header;
    payload = JSON.parse(base64url(p).toString('utf8')) as typeof payload;
  } catch {
    return 'A JSON web token could not be decoded';
  }
  if (header.alg !== 'RS256') return `'alg' must be RS256, was ${String(header.alg)}`;
  if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), publicKey, base64url(s))) return 'A JSON web token could not be decoded';
  if (String(payload.iss) !== String(appId)) return "'Issuer' claim ('iss') must be an Integer";
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.iat !== 'number' || payload.iat > now + 60) return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
  if (typeof payload.exp !== 'number' || payload.exp <= now) return "'Expiration time' claim ('exp') is too far in the future or has passed";
  if (payload.exp - payload.iat > 600) return "'Expiration time' claim ('exp') is too far in the future";
  return undefined;
}

/**
 * A local server speaking the parts of GitHub's REST API the github sink uses, with GitHub's shapes:
 * a GitHub App's JWT exchanged for an installation token, commit statuses, deployments and their statuses,
 * the pull requests of a commit, issue comments (list, create, update), check runs and repository
 * dispatches; errors as GitHub answers them (`{message, documentation_url}`, rate-limit headers).
 */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  const appId = 424242;
  const installationId = 5150;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const publicKey = createPublicKey(privateKey);
  const requests: GitHubRequest[] = [];
  const tokens: string[] = [];
  const hung = new Set<ServerResponse>();
  const pulls = new Map<string, number[]>();
  const state: FakeGitHub['state'] = { statuses: [], deployments: [], deploymentStatuses: [], comments: [], checkRuns: [], dispatches: [] };
  let behaviour: GitHubBehaviour | undefined;
  let nextId = 1000;

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (status === 204) return void res.writeHead(204, headers).end();
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-request-id': `FAKE:${nextId}`, ...headers }).end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) => json(res, status, { message, documentation_url: DOCS, status: String(status) }, headers);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return error(res, 400, 'Problems parsing JSON');
      }
      const url = new URL(req.url ?? '/', 'http://github.local');
      requests.push({ method: req.method ?? 'GET', url: `${url.pathname}${url.search}`, headers: req.headers, body });

      const now = behaviour;
      if (now === 'hang') {
        hung.add(res);
        res.once('close', () => hung.delete(res));
        return;
      }
      if (now === 'http-500') return error(res, 500, 'Server Error');
      if (now && 'secondaryRateLimit' in now) {
        return error(res, 403, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', { 'retry-after': String(now.secondaryRateLimit) });
      }
      if (now && 'primaryRateLimitResetIn' in now) {
        const reset = Math.floor(Date.now() / 1000) + now.primaryRateLimitResetIn;
        return error(res, 403, 'API rate limit exceeded for installation ID 5150.', { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(reset) });
      }
      if (now) return error(res, now.status, now.message);

      const auth = req.headers.authorization ?? '';
      const path = url.pathname;
      const tokenExchange = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
      if (tokenExchange && req.method === 'POST') {
        const jwt = /^bearer (.+)$/i.exec(auth)?.[1];
        if (!jwt) return error(res, 401, 'A JSON web token could not be decoded');
        const problem = jwtProblem(jwt, publicKey, appId);
        if (problem) return error(res, 401, problem);
        if (Number(tokenExchange[1]) !== installationId) return error(res, 404, 'Not Found');
        const token = `ghs_${randomBytes(18).toString('hex')}`;
        tokens.push(token);
        return json(res, 201, { token, expires_at: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'), permissions: { statuses: 'write', deployments: 'write', pull_requests: 'write', checks: 'write', contents: 'write' }, repository_selection: 'all' });
      }
      const token = /^(?:token|bearer) (ghs_\w+)$/i.exec(auth)?.[1];
      if (!token || !tokens.includes(token)) return error(res, 401, 'Bad credentials');

      const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(path);
      if (!repoMatch) return error(res, 404, 'Not Found');
      const [, owner, name, rest] = repoMatch as unknown as [string, string, string, string];
      const repo = `${owner}/${name}`;
      const b = (body ?? {}) as Record<string, unknown>;
      const id = ++nextId;
      let m: RegExpExecArray | null;

      if ((m = /^\/statuses\/([^/]+)$/.exec(rest)) && req.method === 'POST') {
        if (!['error', 'failure', 'pending', 'success'].includes(String(b.state))) return json(res, 422, { message: 'Validation Failed', errors: [{ resource: 'Status', code: 'custom', field: 'state', message: 'state is not included in the list' }], documentation_url: DOCS });
        const status = { id, url: `${base}/repos/${repo}/statuses/${m[1]}`, state: b.state, description: b.description ?? null, target_url: b.target_url ?? null, context: b.context ?? 'default', sha: m[1], repo };
        state.statuses.push(status);
        return json(res, 201, status);
      }
      if (rest === '/deployments' && req.method === 'GET') {
        const list = state.deployments.filter((d) => d.repo === repo && (!url.searchParams.get('ref') || d.ref === url.searchParams.get('ref')) && (!url.searchParams.get('environment') || d.environment === url.searchParams.get('environment')));
        return json(res, 200, [...list].reverse());
      }
      if (rest === '/deployments' && req.method === 'POST') {
        const deployment = { id, url: `${base}/repos/${repo}/deployments/${id}`, ref: b.ref, sha: b.ref, environment: b.environment ?? 'production', transient_environment: b.transient_environment ?? false, required_contexts: b.required_contexts, auto_merge: b.auto_merge, repo };
        state.deployments.push(deployment);
        return json(res, 201, deployment);
      }
      if ((m = /^\/deployments\/(\d+)\/statuses$/.exec(rest)) && req.method === 'POST') {
        if (!state.deployments.some((d) => d.id === Number(m![1]) && d.repo === repo)) return error(res, 404, 'Not Found');
        const status = { id, deployment_id: Number(m[1]), ...b, repo };
        state.deploymentStatuses.push(status);
        return json(res, 201, status);
      }
      if ((m = /^\/commits\/([^/]+)\/pulls$/.exec(rest)) && req.method === 'GET') {
        return json(res, 200, (pulls.get(`${repo}@${m[1]}`) ?? []).map((number) => ({ id: number * 10, number, state: 'open', url: `${base}/repos/${repo}/pulls/${number}` })));
      }
      if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
        const issue = Number(m[1]);
        if (req.method === 'GET') return json(res, 200, state.comments.filter((c) => c.repo === repo && c.issue === issue).map((c) => ({ id: c.id, body: c.body, html_url: `https://github.local/${repo}/pull/${issue}#issuecomment-${c.id}` })));
        if (req.method === 'POST') {
          const comment = { id, issue, body: String(b.body), repo };
          state.comments.push(comment);
          return json(res, 201, { id, body: comment.body });
        }
      }
      if ((m = /^\/issues\/comments\/(\d+)$/.exec(rest)) && req.method === 'PATCH') {
        const comment = state.comments.find((c) => c.id === Number(m![1]) && c.repo === repo);
        if (!comment) return error(res, 404, 'Not Found');
        comment.body = String(b.body);
        return json(res, 200, { id: comment.id, body: comment.body });
      }
      if (rest === '/check-runs' && req.method === 'POST') {
        if (b.status === 'completed' && !b.conclusion) return json(res, 422, { message: 'Invalid request.\n\n"conclusion" wasn\'t supplied.', documentation_url: DOCS });
        const run = { id, ...b, repo };
        state.checkRuns.push(run);
        return json(res, 201, run);
      }
      if (rest === '/dispatches' && req.method === 'POST') {
        if (!b.event_type) return json(res, 422, { message: 'Invalid request.\n\n"event_type" wasn\'t supplied.', documentation_url: DOCS });
        state.dispatches.push({ ...b, repo });
        return json(res, 204, undefined);
      }
      return error(res, 404, 'Not Found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('fake GitHub has no address');
  const base = `http://127.0.0.1:${address.port}`;

  return {
    apiUrl: base,
    appId,
    installationId,
    privateKey,
    requests,
    tokens,
    state,
    pullRequestsFor: (repo, sha, numbers) => void pulls.set(`${repo}@${sha}`, numbers),
    behave: (b) => {
      behaviour = b;
    },
    reset: () => {
      behaviour = undefined;
      for (const res of hung) res.destroy();
      hung.clear();
      requests.length = 0;
    },
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
