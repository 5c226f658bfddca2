/**
 * A git remote's URL as Argo CD's `repo.*` functions read it (chainguard-dev/git-urls over Go's net/url):
 * a URL of a git transport, else scp-like `user@host:path`, else a local path.
 */
export interface GitUrl {
  scheme: string;
  host: string;
  /** As written (Go would re-escape it the same way for any path a git remote has). */
  path: string;
  query: string;
  fragment: string;
}

const TRANSPORTS = new Set(['ssh', 'git', 'git+ssh', 'http', 'https', 'ftp', 'ftps', 'rsync', 'file']);
const SCP = /^([a-zA-Z0-9-._~]+@)?([a-zA-Z0-9._-]+):([a-zA-Z0-9./._-]+)(?:\?||$)(.*)$/;

export function parseGitUrl(raw: string): GitUrl {
  return transportUrl(raw) ?? scpUrl(raw) ?? { scheme: 'file', host: '', path: raw, query: '', fragment: '' };
}

/** Go's `url.String()` of the same URL with scheme https and no user: what `repo.RepoURLToHTTPS` gives. */
export function httpsUrl(url: GitUrl): string {
  let out = 'https:';
  if (url.host !== '' || url.path !== '') out += '//';
  out += url.host;
  if (url.path !== '' && !url.path.startsWith('/') && url.host !== '') out += '/';
  out += url.path;
  if (url.query !== '') out += `?${url.query}`;
  if (url.fragment !== '') out += `#${url.fragment}`;
  return out;
}

/** Go's url.Parse, for the URLs a git remote has; undefined where Go fails or the scheme is no git transport. */
function transportUrl(raw: string): GitUrl | undefined {
  // Go's url.Parse refuses ASCII control characters.
  if ([...raw].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f')) return undefined;
  const hash = raw.indexOf('#');
  const fragment = hash < 0 ? '' : raw.slice(hash + 1);
  let rest = hash < 0 ? raw : raw.slice(0, hash);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (!scheme || !TRANSPORTS.has(scheme[1]!.toLowerCase())) return undefined;
  rest = rest.slice(scheme[0].length);
  const question = rest.indexOf('?');
  const query = question < 0 ? '' : rest.slice(question + 1);
  if (question >= 0) rest = rest.slice(0, question);
  if (!rest.startsWith('/')) return { scheme: scheme[1]!.toLowerCase(), host: '', path: '', query, fragment }; // opaque
  let host = '';
  if (rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    host = authority.slice(authority.lastIndexOf('@') + 1);
    const port = /:([^:\]]*)$/.exec(host);
    if (port && !host.startsWith('[') && !/^\d*$/.test(port[1]!)) return undefined;
  }
  return { scheme: scheme[1]!.toLowerCase(), host, path: rest, query, fragment };
}

function scpUrl(raw: string): GitUrl | undefined {
  if (raw.length > 2048) return undefined;
  const m = SCP.exec(raw);
  return m ? { scheme: 'ssh', host: m[2]!, path: m[3]!, query: m[4]!, fragment: '' } : undefined;
}
