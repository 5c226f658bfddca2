import { coreServices, defineSink, serviceOptionsReader } from '@herald/plugin-sdk';
import { answerError } from './errors.ts';
import { callApi, SinkConnections, deliveryFailure } from '@herald/plugin-http';
import { buildMessage } from './telegram-message.ts';
import { telegramPluginConfigSchema, telegramServiceConfigSchema } from './telegram.config.ts';

/**
 * Argo's telegram service: one Bot API `sendMessage` per `send` (Argo's client also calls `getMe` first;
 * Herald does not, so a send is one request). Telegram asks bots for at most one message per second in a
 * chat: the declared limit, per destination. The token is in the request path, so URLs are never shown.
 * No template schema: Argo's telegram service has no block, only the top-level `message`.
 */
export default defineSink({
  id: 'telegram',
  description: "Posts notifications to Telegram chats, channels and forum topics, like Argo's telegram service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['telegram'],
  configSchema: telegramPluginConfigSchema,
  serviceConfigSchema: telegramServiceConfigSchema,
  limits: { perSecond: 1, burst: 1 },
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const connections = new SinkConnections('telegram');
    const serviceConfig = serviceOptionsReader('telegram', telegramServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const chat = notification.destination.recipient;
        const what = `telegram "${service.name}": sendMessage to ${chat}`;
        const secrets = [...(service.secrets ?? [])];
        try {
          const bound = connections.signal(signal, what);
          const options = serviceConfig(service);
          secrets.push(options.token);
          const message = buildMessage(notification);
          const body = new URLSearchParams({ chat_id: message.chat_id, text: message.text, parse_mode: message.parse_mode });
          if (message.message_thread_id !== undefined) body.set('message_thread_id', String(message.message_thread_id));
          const answer = await callApi(
            connections.agents.get(),
            {
              url: `${options.apiURL.replace(/\/+$/, '')}/bot${options.token}/sendMessage`,
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: body.toString(),
            },
            { what, timeoutMs: options.timeout ?? config.timeout, signal: bound, secrets },
          );
          if (answer.status !== 200 || !/"ok"\s*:\s*true/.test(answer.body)) throw answerError(what, answer);
          logger.debug({ service: service.name, chat, stateKey: notification.stateKey }, 'telegram message sent');
        } catch (err) {
          throw deliveryFailure(err, what, secrets);
        }
      },

      stop: () => connections.stop(),
    };
  },
});
