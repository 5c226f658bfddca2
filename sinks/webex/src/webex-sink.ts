import { coreServices, defineSink, serviceOptionsReader } from '@herald/plugin-sdk';
import { answerError } from './errors.ts';
import { callApi, SinkConnections, deliveryFailure } from '@herald/plugin-http';
import { buildMessage } from './webex-message.ts';
import { webexPluginConfigSchema, webexServiceConfigSchema } from './webex.config.ts';

/**
 * Argo's webex service: one `POST /v1/messages` per `send`, the rendered `message` as markdown, to a room
 * id or a person's email. Webex documents no fixed rate, only 429 with `Retry-After`, which Herald honours:
 * no limit is declared. No template schema: Argo's webex service has no block.
 */
export default defineSink({
  id: 'webex',
  description: "Posts notifications to Webex rooms and people, like Argo's webex service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['webex'],
  configSchema: webexPluginConfigSchema,
  serviceConfigSchema: webexServiceConfigSchema,
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const connections = new SinkConnections('webex');
    const serviceConfig = serviceOptionsReader('webex', webexServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const recipient = notification.destination.recipient;
        const what = `webex "${service.name}": message to ${recipient}`;
        const secrets = [...(service.secrets ?? [])];
        try {
          const bound = connections.signal(signal, what);
          const options = serviceConfig(service);
          secrets.push(options.token);
          const message = buildMessage(notification);
          const answer = await callApi(
            connections.agents.get(options, service.name),
            {
              url: `${options.apiURL.replace(/\/+$/, '')}/v1/messages`,
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
              body: JSON.stringify(message),
            },
            { what, timeoutMs: options.timeout ?? config.timeout, signal: bound, secrets },
          );
          // Argo takes only 200 as success; Webex answers 200 to a created message.
          if (answer.status !== 200) throw answerError(what, answer);
          logger.debug({ service: service.name, recipient, stateKey: notification.stateKey }, 'webex message sent');
        } catch (err) {
          throw deliveryFailure(err, what, secrets);
        }
      },

      stop: () => connections.stop(),
    };
  },
});
