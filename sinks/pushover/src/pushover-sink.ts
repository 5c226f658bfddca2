import { coreServices, defineSink, serviceOptionsReader } from '@herald/plugin-sdk';
import { answerError } from './errors.ts';
import { callApi, SinkConnections, deliveryFailure } from '@herald/plugin-http';
import { buildMessage } from './pushover-message.ts';
import { pushoverPluginConfigSchema, pushoverServiceConfigSchema } from './pushover.config.ts';

/** Pushover: "no more than two concurrent HTTP requests" from an application. */
const MAX_CONNECTIONS = 2;

/**
 * Argo's pushover service: one `POST /messages.json` per `send` (form: token, user, message, priority 0).
 * Pushover's documented limits are a monthly message quota (its 429) and at most two concurrent
 * connections: the sink's connection pool opens at most two, and each destination has two sends in flight
 * at most. No template schema: Argo's pushover service has no block.
 */
export default defineSink({
  id: 'pushover',
  description: "Sends notifications to Pushover users and groups, like Argo's pushover service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['pushover'],
  configSchema: pushoverPluginConfigSchema,
  serviceConfigSchema: pushoverServiceConfigSchema,
  limits: { perDestination: MAX_CONNECTIONS },
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const connections = new SinkConnections('pushover', { connections: MAX_CONNECTIONS });
    const serviceConfig = serviceOptionsReader('pushover', pushoverServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const user = notification.destination.recipient;
        const what = `pushover "${service.name}": message to ${user}`;
        const secrets = [...(service.secrets ?? [])];
        try {
          const bound = connections.signal(signal, what);
          const options = serviceConfig(service);
          secrets.push(options.token);
          const message = buildMessage(notification);
          const answer = await callApi(
            connections.agents.get(),
            {
              url: `${options.apiURL.replace(/\/+$/, '')}/messages.json`,
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ token: options.token, ...message }).toString(),
            },
            { what, timeoutMs: options.timeout ?? config.timeout, signal: bound, secrets },
          );
          if (answer.status !== 200 || !/"status"\s*:\s*1\b/.test(answer.body)) throw answerError(what, answer);
          logger.debug({ service: service.name, user, stateKey: notification.stateKey, remaining: answer.headers['x-limit-app-remaining'] }, 'pushover message sent');
        } catch (err) {
          throw deliveryFailure(err, what, secrets);
        }
      },

      stop: () => connections.stop(),
    };
  },
});
