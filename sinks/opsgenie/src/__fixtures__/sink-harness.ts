import { type NotificationData, type SinkHandle } from '@herald/plugin-sdk';
import { recordingLogger } from '@herald/plugin-testing';
import opsgenie from '../opsgenie-sink.ts';
import { opsgenieServiceConfigSchema, type OpsgenieServiceConfig, type OpsgenieServiceConfigInput } from '../opsgenie.config.ts';

export interface TestSink {
  handle: SinkHandle<OpsgenieServiceConfig>;
  logger: ReturnType<typeof recordingLogger>;
  send(notification: NotificationData, service: OpsgenieServiceConfigInput, options?: { signal?: AbortSignal; secrets?: string[] }): Promise<void>;
}

export async function startSink(): Promise<TestSink> {
  const logger = recordingLogger();
  const handle = await opsgenie.init({ config: {}, logger, signal: new AbortController().signal });
  return {
    handle,
    logger,
    send: (notification, service, { signal = new AbortController().signal, secrets } = {}) =>
      handle.send(notification, { attempt: 1, signal, service: { type: 'opsgenie', name: 'opsgenie', config: opsgenieServiceConfigSchema.parse(service), ...(secrets ? { secrets } : {}) } }),
  };
}

/** A notification of template `app-degraded` to `recipient` with the given `opsgenie` block. */
export function notification(recipient: string, block: unknown, overrides: Partial<NotificationData> = {}): NotificationData {
  return {
    trigger: 'on-degraded',
    conditionKey: '[0].abc',
    template: 'app-degraded',
    destination: { serviceType: 'opsgenie', service: 'opsgenie', recipient },
    stateKey: `on-degraded:[0].abc:opsgenie:${recipient}`,
    idempotencyKey: 'f3b2c1d0e9a8',
    claimRevision: 3,
    ref: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespace: 'shop', name: 'web', uid: 'uid-1' },
    rendered: { message: 'web is degraded', opsgenie: block },
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
