/** The service types of Argo Notifications (notifications-engine `pkg/services`): a ConfigMap from Argo may name any of them. */
const ARGO_SERVICE_TYPES = new Set([
  'alertmanager',
  'awssqs',
  'email',
  'github',
  'googlechat',
  'grafana',
  'mattermost',
  'newrelic',
  'opsgenie',
  'pagerduty',
  'pagerdutyv2',
  'pushover',
  'rocketchat',
  'slack',
  'teams',
  'teams-workflows',
  'telegram',
  'webex',
  'webhook',
]);

/** Which plugin would deliver a service type, for a message telling the user what to add to herald.yaml. */
export function sinkHint(type: string): string {
  return ARGO_SERVICE_TYPES.has(type) ? `the sink plugin for Argo's "${type}" service would be @herald/sink-${type}` : `a sink plugin that declares service type "${type}"`;
}
