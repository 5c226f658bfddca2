import type { NotificationData } from '@herald/plugin-sdk';

/** A notification as a sink receives it: a Pod of `default` went ready; override what your test needs. */
export function sampleNotification(overrides: Partial<NotificationData> = {}): NotificationData {
  return {
    trigger: 'on-pod-ready',
    conditionKey: '[0].c3VjY2Vzcw',
    template: 'pod-ready',
    destination: { serviceType: 'webhook', service: 'webhook', recipient: '' },
    stateKey: 'on-pod-ready:[0].c3VjY2Vzcw:webhook:',
    idempotencyKey: '5f1c0ffee0ddba11',
    claimRevision: 1,
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: '2f6a7c1e-0000-4000-8000-000000000001' },
    rendered: { message: 'Pod web-1 is ready' },
    ...overrides,
  };
}

/**
 * sampleNotification sent to `recipient` of the service named like its type `serviceType`, with `rendered`
 * as the template rendered it (`message` plus the sink's block); the state key follows the destination.
 */
export function sampleNotificationTo(serviceType: string, recipient: string, rendered: Record<string, unknown>, overrides: Partial<NotificationData> = {}): NotificationData {
  const base = sampleNotification({ destination: { serviceType, service: serviceType, recipient }, rendered, ...overrides });
  return { ...base, stateKey: overrides.stateKey ?? `${base.trigger}:${base.conditionKey}:${base.destination.service}:${recipient}` };
}
