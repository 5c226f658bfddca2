import { httpsUrl, parseGitUrl } from './git-url.ts';
import { hostNamespace } from './host-functions.ts';
import { queryEscape } from './query-escape.ts';
import { typeName } from './type-name.ts';

/** Argo CD's `repo` object (util/notification/expression/repo), given for Applications. */
export interface HostRepo {
  /** The repo URL with scheme https and no user: `git@github.com:org/app.git` → `https://github.com/org/app.git`. */
  RepoURLToHTTPS(url: string): string;
  /** `org/app` of a repo URL: its first two path segments, `.git` dropped. */
  FullNameByRepoURL(url: string): string;
  QueryEscape(text: string): string;
  /** Needs Argo CD's repo server: always an error naming the function. */
  GetCommitMetadata(sha: string): never;
  /** Needs Argo CD's repo server: always an error naming the function. */
  GetAppDetails(): never;
}

function text(fn: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`repo.${fn}: argument must be a string, got ${typeName(value)}`);
  return value;
}

function needsRepoServer(fn: string): never {
  throw new TypeError(`repo.${fn} reads the Git repository through Argo CD's repo server, which Herald does not have; use the Application's status instead (e.g. .app.status.operationState.syncResult.revision)`);
}

/** The `repo` object: the pure functions as Argo CD has them; the two that need its repo server fail, saying so. */
export const hostRepo: HostRepo = hostNamespace({
  RepoURLToHTTPS: (url: string) => httpsUrl(parseGitUrl(text('RepoURLToHTTPS', url))),
  FullNameByRepoURL: (url: string) => {
    const path = parseGitUrl(text('FullNameByRepoURL', url)).path.replace(/\.git$/, '');
    const parts = path.split('/').filter((p) => p !== '');
    return parts.length >= 2 ? parts.slice(0, 2).join('/') : path;
  },
  QueryEscape: (value: string) => queryEscape(text('QueryEscape', value)),
  // The argument is checked first, as Go's `call` checks it against the parameter's type before calling.
  GetCommitMetadata: (sha: string) => {
    text('GetCommitMetadata', sha);
    return needsRepoServer('GetCommitMetadata');
  },
  GetAppDetails: () => needsRepoServer('GetAppDetails'),
});
