import { coreServices, defineSink, DeliveryError, isDeliveryError, maskErrorSecrets, untilAborted, type NotificationData, serviceOptionsReader } from '@herald/plugin-sdk';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { ConnectionPool } from './connection-pool.ts';
import { deniedError, natsError } from './errors.ts';
import { natsPluginConfigSchema, natsServiceConfigSchema, type NatsServiceConfig } from './nats.config.ts';

/** The header JetStream deduplicates on (within the stream's duplicate window). */
export const MSG_ID_HEADER = 'Nats-Msg-Id';

/**
 * The notification's idempotency key, as every Herald sink carries it: the same for every resend of one
 * notification, new when the condition fires again.
 */
export function idempotencyKey(notification: NotificationData): string {
  return `${notification.idempotencyKey}:${notification.claimRevision}`;
}

/** The values of a service's options that must never be shown: the password, the nkey seed, URL credentials. */
function secretsOf(options: NatsServiceConfig): string[] {
  const out = [options.password ?? '', options.nkey ?? ''];
  for (const u of options.url.split(',')) {
    const match = /^[a-z]+:\/\/([^@/]*)@/i.exec(u.trim());
    if (!match) continue;
    const [user, pass] = match[1]!.split(':');
    out.push(pass ?? user ?? '');
  }
  return out.filter((s) => s.length > 0);
}

/**
 * Argo's nats service: the rendered message published to the recipient subject, with the service's
 * headers and the idempotency key as `Nats-Msg-Id`, and confirmed by the server (a flush) before `send` resolves; one attempt per `send`. Unlike
 * Argo, which connects and disconnects for every notification, each service keeps one connection.
 * A publish the server refuses (permissions) is permanent, with the server's text.
 */
export default defineSink({
  id: 'nats',
  description: "Publishes notifications to NATS subjects, like Argo's nats service, over one connection per service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['nats'],
  configSchema: natsPluginConfigSchema,
  serviceConfigSchema: natsServiceConfigSchema,
  // Core NATS has no rate limit of its own: the server takes what the connection carries (max_payload per
  // message is checked by the client, as a permanent error). No default limit, as for the webhook.
  limits: {},
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const pool = new ConnectionPool();
    // Aborted by stop(): later sends fail at once, publishes in flight are cut.
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const serviceConfig = serviceOptionsReader('nats', natsServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const what = `nats "${service.name}"`;
        if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: stopping.signal.reason });
        const options = serviceConfig(service);
        const subject = notification.destination.recipient;
        if (!subject) throw DeliveryError.permanent(`${what}: no subject (the subscription names none, e.g. nats:deploys)`);
        const timeoutMs = options.timeout ?? config.timeout;
        const timeout = AbortSignal.timeout(timeoutMs);
        const bound = AbortSignal.any([signal, stopping.signal, timeout]);
        const secrets = secretsOf(options);
        const step = `${what}: publish to ${subject}`;

        try {
          const connection = await untilAborted(pool.get(service.name, options, timeoutMs), bound);
          const message = typeof notification.rendered.message === 'string' ? notification.rendered.message : '';
          const headers = natsHeaders();
          // JetStream's deduplication header: a stream on the subject stores one message per notification,
          // however often it is resent. The service's headers come after, so a service can set its own.
          headers.set(MSG_ID_HEADER, idempotencyKey(notification));
          for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
          const denied = await connection.publish(subject, message, { headers }, bound);
          if (denied !== undefined) throw deniedError(step, denied);
        } catch (err) {
          if (bound.aborted && !isDeliveryError(err)) {
            const reason = timeout.aborted && !signal.aborted && !stopping.signal.aborted ? new Error(`no answer within ${timeoutMs} ms`) : bound.reason;
            throw maskErrorSecrets(DeliveryError.aborted(step, reason), secrets);
          }
          throw maskErrorSecrets(isDeliveryError(err) ? err : natsError(step, err), secrets);
        }
        logger.debug({ service: service.name, subject, stateKey: notification.stateKey }, 'nats message published');
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('nats sink stopped', 'AbortError'));
          await pool.close();
        })();
        return stopped;
      },
    };
  },
});
