import { systemClock, type NotificationData, type SinkHandle } from '@herald/plugin-sdk';
import { recordingLogger } from '@herald/plugin-testing';
import alertmanager from '../alertmanager-sink.ts';
import { alertmanagerServiceConfigSchema, type AlertmanagerServiceConfig, type AlertmanagerServiceConfigInput } from '../alertmanager.config.ts';

export interface TestSink {
  handle: SinkHandle<AlertmanagerServiceConfig>;
  logger: ReturnType<typeof recordingLogger>;
  send(notification: NotificationData, service: AlertmanagerServiceConfigInput, options?: { signal?: AbortSignal }): Promise<void>;
}

export async function startSink(): Promise<TestSink> {
  const logger = recordingLogger();
  const handle = await alertmanager.init({ config: {}, logger, clock: systemClock, signal: new AbortController().signal });
  return {
    handle,
    logger,
    send: (notification, service, { signal = new AbortController().signal } = {}) =>
      handle.send(notification, { attempt: 1, signal, service: { type: 'alertmanager', name: 'alertmanager', config: alertmanagerServiceConfigSchema.parse(service) } }),
  };
}

/** A notification of template `app-degraded` with the given `alertmanager` block. */
export function notification(block: unknown, overrides: Partial<NotificationData> = {}): NotificationData {
  return {
    trigger: 'on-degraded',
    conditionKey: '[0].abc',
    template: 'app-degraded',
    destination: { serviceType: 'alertmanager', service: 'alertmanager', recipient: '' },
    stateKey: 'on-degraded:[0].abc:alertmanager:',
    idempotencyKey: 'f3b2c1d0e9a8',
    claimRevision: 3,
    ref: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespace: 'shop', name: 'web', uid: 'uid-1' },
    rendered: { message: 'web is degraded', alertmanager: block },
    observedAt: '2026-12-04T10:00:00.000Z',
    ...overrides,
  };
}

/** The error a promise rejected with (fails when it resolved). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { retryable?: boolean; retryAfterMs?: number; code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection, but it resolved');
}
