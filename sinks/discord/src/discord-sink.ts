import { coreServices, defineSink, serviceOptionsReader } from '@herald/plugin-sdk';
import { callApi, shownUrl, SinkConnections, urlSecrets, webhookFor } from '@herald/plugin-http';
import pkg from '../package.json' with { type: 'json' };
import { answerError } from './errors.ts';
import { discordBody, executeUrl } from './discord-message.ts';
import { discordPluginConfigSchema, discordServiceConfigSchema, discordTemplateSchema } from './discord.config.ts';

const USER_AGENT = `herald/${pkg.version}`;

/**
 * Discord, which Argo lacks: one Execute Webhook call (`?wait=true`, so Discord answers once the message
 * exists) to the webhook the recipient names in `webhooks`, once per `send`. Sent means Discord answered
 * 2xx. Its 429s are honoured with the wait they ask for; the declared default stays under Discord's webhook
 * limits (5 executions per 2 seconds per webhook, 30 messages a minute per channel).
 */
export default defineSink({
  id: 'discord',
  description: 'Posts notifications to Discord channels through webhooks (content, embeds, username, avatar)',
  sdkVersion: '^1.0.0',
  serviceTypes: ['discord'],
  configSchema: discordPluginConfigSchema,
  serviceConfigSchema: discordServiceConfigSchema,
  templateSchema: discordTemplateSchema,
  limits: { perSecond: 0.5, burst: 5 },
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const connections = new SinkConnections('discord');
    const serviceConfig = serviceOptionsReader('discord', discordServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const recipient = notification.destination.recipient;
        const options = serviceConfig(service);
        const urls = options.webhooks;
        const secrets = [...(service.secrets ?? []), ...Object.values(urls).flatMap(urlSecrets)];
        const raw = webhookFor(`discord "${service.name}"`, urls, 'webhooks', recipient);
        const what = `discord "${service.name}": POST for recipient "${recipient}" to ${shownUrl(raw)}`;
        const bound = connections.signal(signal, what);
        const body = discordBody(notification);
        // The URL posted to (with ?wait=true): masked whole too, as a server may echo it.
        const target = executeUrl(raw);
        secrets.push(...urlSecrets(target.href));
        const answer = await callApi(
          connections.agents.get(options, service.name),
          { url: target, method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT }, body },
          { what, timeoutMs: options.timeout ?? config.timeout, signal: bound, secrets },
        );
        const log = { service: service.name, recipient, stateKey: notification.stateKey, status: answer.status };
        if (answer.status >= 200 && answer.status <= 299) {
          logger.debug(log, 'discord message posted');
          return;
        }
        logger.debug({ ...log, rateLimitRemaining: answer.headers['x-ratelimit-remaining'] }, 'discord message refused');
        throw answerError(what, answer);
      },

      stop: () => connections.stop(),
    };
  },
});
