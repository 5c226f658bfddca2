import { DeliveryError } from '@herald/plugin-sdk';

// An incoming webhook URL is its own credential (a token in the path or the query). What the sink shows of
// one is its origin; everything else is masked wherever it could show up (errors, logs, dead letters).

/** decodeURIComponent that keeps malformed escapes as they are. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A path segment that looks like an id or a token: long, with digits in it (words such as `workflows` stay). */
function looksLikeToken(segment: string): boolean {
  return segment.length >= 16 && /\d/.test(segment);
}

/** The parts of a webhook URL that must never be shown: the URL, its path and query, each segment and value. */
export function urlSecrets(raw: string): string[] {
  const out = [raw];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return out;
  }
  out.push(url.href, `${url.pathname}${url.search}`, url.username, url.password);
  for (const segment of url.pathname.split('/')) if (looksLikeToken(decode(segment))) out.push(segment, decode(segment));
  for (const [, value] of url.searchParams) if (value.length >= 8) out.push(value, encodeURIComponent(value));
  return out.filter((s) => s.length >= 4);
}

/** The URL as the sink shows it: the origin only. */
export function shownUrl(raw: string): string {
  try {
    return new URL(raw).origin;
  } catch {
    return '(an invalid URL)';
  }
}

/**
 * The webhook URL `recipient` names in a service's map of them (`webhooks`, `recipientUrls`: `field` says
 * which). A recipient with none is a configuration mistake no retry fixes: the error lists the names there are.
 */
export function webhookFor(what: string, urls: Readonly<Record<string, string>>, field: string, recipient: string): string {
  const raw = Object.hasOwn(urls, recipient) ? urls[recipient] : undefined;
  if (raw !== undefined) return raw;
  const known = Object.keys(urls);
  throw DeliveryError.permanent(`${what}: no webhook for recipient "${recipient}" in ${field} (${known.length ? `it has ${known.join(', ')}` : 'it is empty'})`);
}
