import { DeliveryError, type NotificationData } from '@herald/plugin-sdk';
import { goEscape, sortedKeys } from '@herald/plugin-http';

/**
 * The body Argo's mattermost service posts, byte for byte: `{"channel_id","message","props":{"attachments"}}`
 * (Go writes the map's keys sorted), the attachments parsed from the rendered `mattermost.attachments`
 * (`[]` when it renders empty). Throws a permanent DeliveryError when they are not a JSON list.
 */
export function mattermostBody(notification: NotificationData, channelId: string): string {
  const raw = (notification.rendered.mattermost as Record<string, unknown> | undefined)?.attachments;
  if (raw !== undefined && raw !== null && typeof raw !== 'string') throw DeliveryError.permanent(`template "${notification.template}": mattermost.attachments must be text`);
  let attachments: unknown = [];
  if (raw) {
    try {
      attachments = JSON.parse(raw);
    } catch (err) {
      throw DeliveryError.permanent(`template "${notification.template}": mattermost.attachments is not valid JSON after rendering: ${(err as Error).message}`);
    }
    if (attachments !== null && !Array.isArray(attachments)) throw DeliveryError.permanent(`template "${notification.template}": mattermost.attachments must render to a JSON list`);
  }
  const message = typeof notification.rendered.message === 'string' ? notification.rendered.message : '';
  return goEscape(JSON.stringify({ channel_id: channelId, message, props: { attachments: sortedKeys(attachments) } }));
}

/** `<apiURL>/api/v4/posts`; a trailing slash on apiURL does not double (Argo would post to `//api/v4/posts`). */
export function postsUrl(apiURL: string): URL {
  return new URL(`${apiURL.replace(/\/+$/, '')}/api/v4/posts`);
}
