// `nats://user:pass@host` (or `nats://token@host`) carries its credentials in the URL: whatever Herald
// prints of a server list keeps the scheme, host and port only.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@,]+@/gi;

/** `text` with the credentials of every URL in it masked: `nats://***@host:4222`. */
export function redactServerUrls(text: string): string {
  return text.replace(USERINFO, '$1***@');
}
