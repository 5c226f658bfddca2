// Webhook URLs often are the secret (Slack, Teams, Discord: a token in the path), and Argo configs put
// tokens in queries. What Herald shows of a URL in errors, logs and spans keeps the origin and the shape.

const MASK = '***';

/** A path segment that looks like a token: long, with letters and digits mixed. */
function looksLikeToken(segment: string): boolean {
  return segment.length >= 16 && /[A-Za-z]/.test(segment) && /\d/.test(segment);
}

/** decodeURIComponent that keeps malformed escapes as they are. */
export function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The URL as Herald shows it: no credentials, query values masked, token-like path segments masked. */
export function displayUrl(url: URL): string {
  const path = url.pathname
    .split('/')
    .map((segment) => (looksLikeToken(decode(segment)) ? MASK : segment))
    .join('/');
  const query = url.search
    ? `?${url.search
        .slice(1)
        .split('&')
        .map((pair) => (pair.includes('=') && !pair.endsWith('=') ? `${pair.slice(0, pair.indexOf('='))}=${MASK}` : pair))
        .join('&')}`
    : '';
  return `${url.origin}${path}${query}`;
}

/** Everything in a URL that `displayUrl` hides, for `scrub`. */
export function urlSecrets(url: URL): string[] {
  const out = [url.username, url.password, decode(url.username), decode(url.password)];
  for (const segment of url.pathname.split('/')) if (looksLikeToken(decode(segment))) out.push(segment, decode(segment));
  for (const pair of url.search.slice(1).split('&')) {
    const value = pair.includes('=') ? pair.slice(pair.indexOf('=') + 1) : '';
    out.push(value, decode(value.replaceAll('+', ' ')));
  }
  return out;
}
