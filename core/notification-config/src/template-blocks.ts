import { templateShape } from './canonical-keys.ts';

/** The blocks of the engine's Notification (notifications-engine pkg/services): what Argo reads from a template besides `message`. */
const ENGINE_BLOCKS: ReadonlySet<string> = new Set([
  'awssqs', 'gcppubsub', 'email', 'slack', 'mattermost', 'rocketchat', 'teams', 'teams-workflows', 'webhook', 'opsgenie',
  'github', 'alertmanager', 'googlechat', 'pagerduty', 'pagerdutyv2', 'newrelic',
]);

/** Fields the engine parses only when it renders them, so their errors are the send's, never the config's. */
const RENDER_TIME_FIELDS: readonly (readonly [string, string])[] = [
  ['gcppubsub', 'attributes'],
  ['awssqs', 'messageAttributes'],
];

/** Whether a template's top-level key is one Herald reads: `message`, a block of the engine's, of Herald's catalogue, or of a loaded sink. */
export function isKnownBlock(block: string, sinkBlocks: ReadonlySet<string> | undefined): boolean {
  return block === 'message' || ENGINE_BLOCKS.has(block) || Object.hasOwn(templateShape.fields ?? {}, block) || sinkBlocks?.has(block) === true;
}

/** Whether the text under `path` (keys from the template's root) is parsed only when rendered, as the engine does. */
export function isParsedAtRender(path: readonly string[]): boolean {
  return path.length === 2 && RENDER_TIME_FIELDS.some(([block, field]) => path[0] === block && path[1] === field);
}

/** Whether the string under `path` is never a template in the engine (sent as written): a webhook's `method`, github's `commentTag`. */
export function isLiteralField(path: readonly string[]): boolean {
  return (path.length === 3 && path[0] === 'webhook' && path[2] === 'method') || (path.length === 3 && path[0] === 'github' && path[1] === 'pullRequestComment' && path[2] === 'commentTag');
}
