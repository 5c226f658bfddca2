import { maskSecrets, z, type NotificationData, DeliveryError } from '@herald/plugin-sdk';

import { decode, displayUrl, urlSecrets } from './redact.ts';
import { webhookBlockSchema, type WebhookServiceConfig } from './webhook.config.ts';

/**
 * One service's block of a rendered template: `webhook.<serviceName>.{method,path,body}`. Checked strictly
 * when the config loads (the sink's templateSchema); other keys of a rendered block are ignored here.
 */
const blockSchema = webhookBlockSchema.loose();
export type WebhookBlock = z.infer<typeof blockSchema>;

/** What goes on the wire for one notification (the same on every retry), and how to show it safely. */
export interface WebhookRequest {
  method: string;
  /** Scheme, host and port; requests are pooled per origin. */
  origin: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  /** Null for an empty body. */
  body: string | null;
  /** The URL without credentials, query values or tokens: for errors, logs and spans. */
  display: string;
  /** `webhook "<service>": <METHOD> <display>`, the start of every message about this request. */
  label: string;
  host: string;
  port: number;
  /**
   * Never shown, masked wherever text could echo them: every value from the Secret, and header values,
   * passwords and URL parts that look like tokens.
   */
  secrets: string[];
  /** The request carries the service's credentials (headers, basic auth): no redirect takes them to another origin. */
  credentials: boolean;
}

/** Argo's join: a non-empty path is appended to the service URL with exactly one slash between them. */
export function joinUrl(url: string, path: string | undefined): string {
  if (!path) return url;
  return `${url.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** The header a receiver deduplicates on: same for redeliveries of one notification, new for a re-fire. */
export function idempotencyKey(notification: NotificationData): string {
  return `${notification.idempotencyKey}:${notification.claimRevision}`;
}

/**
 * Builds the request Argo's webhook service would send: the service's block if the template has one for
 * this service name (method defaults to GET, path appended to the URL, its body), otherwise a GET of the
 * service URL with the rendered `message` as body. Throws a permanent DeliveryError when it cannot be sent.
 */
export function buildRequest(notification: NotificationData, serviceName: string, config: WebhookServiceConfig, userAgent: string, known: readonly string[] = []): WebhookRequest {
  const what = `webhook "${serviceName}"`;
  const blocks = notification.rendered.webhook;
  const raw = blocks && typeof blocks === 'object' ? (blocks as Record<string, unknown>)[serviceName] : undefined;
  const parsed = raw === undefined ? undefined : blockSchema.safeParse(raw);
  if (parsed && !parsed.success) throw DeliveryError.permanent(`${what}: the rendered template block webhook.${serviceName} is malformed: ${z.prettifyError(parsed.error)}`);
  const block = parsed?.data;

  const method = (block?.method || 'GET').toUpperCase();
  if (!/^[!#$%&'*+.^_`|~0-9A-Z-]+$/.test(method)) throw DeliveryError.permanent(`${what}: ${JSON.stringify(method)} is not an HTTP method`);
  const target = joinUrl(config.url, block?.path);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw DeliveryError.permanent(`${what}: ${method} to an invalid URL (service url joined with the template's path)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw DeliveryError.permanent(`${what}: ${method} to a ${url.protocol} URL; only http and https are supported`);
  const base = new URL(config.url);
  if (!within(url, base)) {
    // `..` (or its %2e escapes) in a rendered path would otherwise reach what the service URL does not name.
    const path = maskSecrets(JSON.stringify(block?.path ?? ''), known);
    throw DeliveryError.permanent(`${what}: the template's path ${path} leads outside the service URL's base path ${maskSecrets(base.pathname, known)}; refused`);
  }

  // Go's Header.Set semantics: names are case-insensitive, a later value replaces an earlier one.
  const headers = new Map<string, [string, string]>();
  const set = (name: string, value: string) => headers.set(name.toLowerCase(), [name, value]);
  set('User-Agent', userAgent);
  const secrets = urlSecrets(url);
  for (const header of config.headers) {
    set(header.name, header.value);
    secrets.push(header.value, ...header.value.split(/\s+/).filter((part) => part.length >= 8));
  }
  const credentials = config.headers.length > 0 || config.basicAuth !== undefined || url.username !== '' || url.password !== '';
  const basic = config.basicAuth ?? (url.username || url.password ? { username: decode(url.username), password: decode(url.password) } : undefined);
  if (config.basicAuth || (basic && !headers.has('authorization'))) {
    const token = Buffer.from(`${basic!.username}:${basic!.password}`, 'utf8').toString('base64');
    set('Authorization', `Basic ${token}`);
    secrets.push(basic!.password, token);
  }
  // Herald's own: a configured value would be the same for every notification and make receivers drop all
  // but the first.
  set('Idempotency-Key', idempotencyKey(notification));

  const message = typeof notification.rendered.message === 'string' ? notification.rendered.message : '';
  const body = block ? (block.body ?? '') : message;
  // Values from the Secret are masked whatever they look like; the guesses only when long enough to mean something.
  const hidden = [...known, ...secrets.filter((s) => s.length >= 4)];
  const display = maskSecrets(displayUrl(url), hidden);
  return {
    method,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    headers: Object.fromEntries([...headers.values()]),
    body: body === '' ? null : body,
    display,
    label: `${what}: ${method} ${display}`,
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    secrets: hidden,
    credentials,
  };
}

/** `url` is the service URL `base` or below its path (both normalized by URL parsing: `..` resolved). */
function within(url: URL, base: URL): boolean {
  if (url.origin !== base.origin) return false;
  const root = base.pathname.replace(/\/+$/, '');
  return url.pathname === root || url.pathname.startsWith(`${root}/`);
}
