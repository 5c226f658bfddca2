/**
 * `owner/repo` of a repository URL, as Argo reads it (git-urls, then the first two path segments, `.git`
 * dropped): https://github.com/acme/web.git, git@github.com:acme/web.git, ssh://git@github.com/acme/web,
 * https://ghe.example.com/acme/web/tree/main. Undefined when the path has no two segments.
 */
export function repoFullName(repoURL: string): { owner: string; repo: string } | undefined {
  const text = repoURL.trim();
  let path: string;
  const scp = /^(?:[\w.-]+@)?[\w.-]+:(?!\/\/)(.*)$/.exec(text);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) path = scp[1]!;
  else {
    try {
      path = new URL(text).pathname;
    } catch {
      path = text;
    }
  }
  const parts = path.replace(/\.git$/, '').split('/').filter(Boolean);
  if (parts.length < 2) return undefined;
  return { owner: decodeURIComponent(parts[0]!), repo: decodeURIComponent(parts[1]!.replace(/\.git$/, '')) };
}

/** Argo's trunc: at most `n` characters, the last three `...` when cut. */
export function truncate(text: string, n: number): string {
  const chars = Array.from(text);
  return chars.length > n ? `${chars.slice(0, n - 3).join('')}...` : text;
}
