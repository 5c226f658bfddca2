import type { Octokit } from '@octokit/rest';
import { DeliveryError } from '@herald/plugin-sdk';
import type { GithubTemplate } from './github.config.ts';
import { truncate } from './repo-url.ts';

/** Argo's marker of a tagged PR comment, found again to update the comment. */
export const commentMarker = (tag: string) => `<!-- argocd-notifications ${tag} -->`;

/**
 * The comment's content as the engine's templater leaves it: with a `commentTag`, the rendered content
 * then a line with the tag's marker (Argo appends it when it renders, before its send cuts and appends again).
 */
export function pullRequestCommentContent(comment: { content?: string | undefined; commentTag?: string | undefined }): string {
  const content = comment.content ?? '';
  return comment.commentTag ? `${content}\n${commentMarker(comment.commentTag)}` : content;
}

/** Where the calls go and what they carry: the repository, the revision, the notification's message. */
export interface Target {
  owner: string;
  repo: string;
  revision: string;
  message: string;
  /** Passed to every call: cut by the deadline. */
  signal: AbortSignal;
  /** Names the call being made, for the error of one that fails. */
  step(name: string): void;
}

type Rendered = Partial<GithubTemplate>;

/** A commit status on the revision: Argo's fields; the description is the message, cut to 140 characters. */
export async function createStatus(octokit: Octokit, t: Target, status: NonNullable<Rendered['status']>): Promise<void> {
  t.step(`create commit status on ${t.owner}/${t.repo}@${t.revision}`);
  await octokit.rest.repos.createCommitStatus({
    owner: t.owner,
    repo: t.repo,
    sha: t.revision,
    state: (status.state ?? '') as 'success',
    description: truncate(t.message, 140),
    context: status.label ?? '',
    target_url: status.targetURL ?? '',
    request: { signal: t.signal },
  });
}

/**
 * Argo's deployment: the newest deployment of the revision in the environment, created when there is none
 * (ref: `reference` or the revision), then a deployment status on it.
 */
export async function createDeploymentStatus(octokit: Octokit, t: Target, d: NonNullable<Rendered['deployment']>): Promise<void> {
  const environment = d.environment ?? '';
  t.step(`list deployments of ${t.owner}/${t.repo}@${t.revision}`);
  const { data: existing } = await octokit.rest.repos.listDeployments({ owner: t.owner, repo: t.repo, ref: t.revision, environment, request: { signal: t.signal } });
  let id = existing[0]?.id;
  if (id === undefined) {
    t.step(`create deployment of ${t.owner}/${t.repo}@${t.revision}`);
    const { data: created } = await octokit.rest.repos.createDeployment({
      owner: t.owner,
      repo: t.repo,
      ref: d.reference || t.revision,
      environment,
      ...(d.requiredContexts ? { required_contexts: d.requiredContexts } : {}),
      auto_merge: d.autoMerge ?? true,
      transient_environment: d.transientEnvironment ?? false,
      request: { signal: t.signal },
    });
    if (!('id' in created)) throw DeliveryError.transient(`GitHub did not create the deployment: ${String((created as { message?: unknown }).message)}`);
    id = created.id;
  }
  t.step(`create deployment status on ${t.owner}/${t.repo} deployment ${id}`);
  await octokit.rest.repos.createDeploymentStatus({
    owner: t.owner,
    repo: t.repo,
    deployment_id: id,
    state: (d.state ?? '') as 'success',
    log_url: d.logURL ?? '',
    description: truncate(t.message, 140),
    environment,
    environment_url: d.environmentURL ?? '',
    request: { signal: t.signal },
  });
}

/**
 * A comment on every pull request that contains the revision (Argo's). With a `commentTag`, the comment
 * carrying the tag's marker is updated in place, on whichever page of the PR's comments it is (Argo reads
 * only the first 30); without one, a new comment each time. The body is the engine's: its templater ends
 * the content with the marker, its send cuts that to GitHub's 65,536 characters and appends the marker
 * again (so the marker survives the cut). Argo appends once more for each further PR it creates a comment
 * on; Herald posts every PR the same body.
 */
export async function commentOnPullRequests(octokit: Octokit, t: Target, c: NonNullable<Rendered['pullRequestComment']>): Promise<void> {
  const marker = c.commentTag ? commentMarker(c.commentTag) : undefined;
  const content = truncate(pullRequestCommentContent(c), 65_536);
  const body = marker ? `${content}\n${marker}` : content;
  t.step(`list pull requests of ${t.owner}/${t.repo}@${t.revision}`);
  const { data: pulls } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: t.owner, repo: t.repo, commit_sha: t.revision, request: { signal: t.signal } });
  for (const pull of pulls) {
    if (marker) {
      t.step(`list comments of ${t.owner}/${t.repo}#${pull.number}`);
      const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: t.owner, repo: t.repo, issue_number: pull.number, per_page: 100, request: { signal: t.signal } });
      const tagged = comments.find((comment) => comment.body?.includes(marker));
      if (tagged) {
        t.step(`update comment ${tagged.id} on ${t.owner}/${t.repo}#${pull.number}`);
        await octokit.rest.issues.updateComment({ owner: t.owner, repo: t.repo, comment_id: tagged.id, body, request: { signal: t.signal } });
        continue;
      }
    }
    t.step(`comment on ${t.owner}/${t.repo}#${pull.number}`);
    await octokit.rest.issues.createComment({ owner: t.owner, repo: t.repo, issue_number: pull.number, body, request: { signal: t.signal } });
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A check run on the revision, with Argo's rules: a conclusion makes it completed, completed needs a conclusion. */
export async function createCheckRun(octokit: Octokit, t: Target, run: NonNullable<Rendered['checkRun']>, template: string): Promise<void> {
  const conclusion = run.conclusion ?? '';
  const status = run.status || (conclusion ? 'completed' : '');
  if ((status === 'completed' || run.completed_at) && !conclusion) {
    throw DeliveryError.permanent(`template "${template}": github.checkRun: conclusion is required when status is completed or completed_at is set`);
  }
  for (const [field, value] of [['started_at', run.started_at], ['completed_at', run.completed_at]] as const) {
    if (value && !RFC3339.test(value)) throw DeliveryError.permanent(`template "${template}": github.checkRun.${field} is not an RFC 3339 time: ${value}`);
  }
  t.step(`create check run on ${t.owner}/${t.repo}@${t.revision}`);
  await octokit.rest.checks.create({
    owner: t.owner,
    repo: t.repo,
    name: run.name ?? '',
    head_sha: t.revision,
    external_id: 'argocd-notifications',
    ...(run.details_url ? { details_url: run.details_url } : {}),
    ...(status ? { status: status as 'completed' } : {}),
    ...(conclusion ? { conclusion: conclusion as 'success' } : {}),
    ...(run.started_at ? { started_at: new Date(run.started_at).toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
    ...(run.completed_at ? { completed_at: new Date(run.completed_at).toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
    ...(run.output ? { output: { title: run.output.title ?? '', summary: run.output.summary ?? '', text: run.output.text ?? '' } } : {}),
    request: { signal: t.signal },
  });
}

/** A repository_dispatch event; `client_payload` is rendered JSON, sent as the object it is. */
export async function dispatch(octokit: Octokit, t: Target, d: NonNullable<Rendered['repositoryDispatch']>, template: string): Promise<void> {
  let payload: Record<string, unknown> | undefined;
  if (d.client_payload) {
    try {
      payload = JSON.parse(d.client_payload) as Record<string, unknown>;
    } catch (err) {
      throw DeliveryError.permanent(`template "${template}": github.repositoryDispatch.client_payload is not valid JSON after rendering: ${(err as Error).message}`);
    }
  }
  t.step(`dispatch ${d.event_type ?? ''} to ${t.owner}/${t.repo}`);
  await octokit.rest.repos.createDispatchEvent({ owner: t.owner, repo: t.repo, event_type: d.event_type ?? '', ...(payload ? { client_payload: payload } : {}), request: { signal: t.signal } });
}
