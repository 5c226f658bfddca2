import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';

/** The rendered `discord` block: each field template text; an empty one counts as unset. */
export interface DiscordBlock {
  content?: string;
  embeds?: string;
  username?: string;
  avatarUrl?: string;
}

function block(notification: NotificationData): DiscordBlock {
  const raw = notification.rendered.discord;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw DeliveryError.permanent(`template "${notification.template}": discord must be a mapping`);
  const out: DiscordBlock = {};
  for (const field of ['content', 'embeds', 'username', 'avatarUrl'] as const) {
    const value = (raw as Record<string, unknown>)[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw DeliveryError.permanent(`template "${notification.template}": discord.${field} must be text`);
    out[field] = value;
  }
  return out;
}

/**
 * The Execute Webhook body: `content` (the block's, else the `message`), `username`, `avatar_url` and the
 * `embeds` parsed from their rendered JSON; fields without a value are left out. Throws a permanent
 * DeliveryError for embeds that do not render to a JSON list of objects.
 */
export function discordBody(notification: NotificationData): string {
  const discord = block(notification);
  const content = discord.content ?? (typeof notification.rendered.message === 'string' ? notification.rendered.message : '');
  let embeds: unknown;
  if (discord.embeds !== undefined) {
    try {
      embeds = JSON.parse(discord.embeds);
    } catch (err) {
      throw DeliveryError.permanent(`template "${notification.template}": discord.embeds is not valid JSON after rendering: ${(err as Error).message}`);
    }
    if (!Array.isArray(embeds) || embeds.some((e) => typeof e !== 'object' || e === null || Array.isArray(e))) {
      throw DeliveryError.permanent(`template "${notification.template}": discord.embeds must render to a JSON list of embeds`);
    }
  }
  return JSON.stringify({
    ...(content === '' ? {} : { content }),
    ...(discord.username === undefined ? {} : { username: discord.username }),
    ...(discord.avatarUrl === undefined ? {} : { avatar_url: discord.avatarUrl }),
    ...(Array.isArray(embeds) && embeds.length ? { embeds } : {}),
  });
}

/** The webhook URL with `wait=true`: Discord then answers once the message exists, with the message. */
export function executeUrl(webhook: string): URL {
  const url = new URL(webhook);
  url.searchParams.set('wait', 'true');
  return url;
}
