import { coreServices, DeliveryError, defineSink, isDeliveryError, maskSecrets, type ServiceInstance } from '@herald/plugin-sdk';
import { AgentPool, maskedDeliveryError, postJson, shownUrl, urlSecrets } from '@herald/core-http';
import pkg from '../package.json' with { type: 'json' };
import { answerError } from './errors.ts';
import { discordBody, executeUrl } from './discord-message.ts';
import { discordPluginConfigSchema, discordServiceConfigSchema, discordTemplateSchema, type DiscordServiceConfig } from './discord.config.ts';

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
    const agents = new AgentPool();
    // Aborted by stop(): later sends fail at once, requests in flight are cut.
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const parsed = new WeakMap<object, DiscordServiceConfig>();

    // Herald parses service options when the config loads; parsing again here (once per options object)
    // keeps the sink safe from options that did not come that way. Messages name keys, never values.
    const serviceConfig = (service: ServiceInstance<unknown>): DiscordServiceConfig => {
      const raw = service.config;
      const known = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
      if (known) return known;
      const result = discordServiceConfigSchema.safeParse(raw);
      if (!result.success) {
        const keys = result.error.issues.map((issue) => [`service.${service.type}`, ...issue.path].join('.'));
        throw DeliveryError.permanent(`discord "${service.name}": invalid service options: ${keys.join(', ')}`);
      }
      if (typeof raw === 'object' && raw !== null) parsed.set(raw, result.data);
      return result.data;
    };

    return {
      async send(notification, { signal, service }) {
        const recipient = notification.destination.recipient;
        const options = serviceConfig(service);
        const urls = options.webhooks;
        const secrets = [...(service.secrets ?? []), ...Object.values(urls).flatMap(urlSecrets)];
        const raw = Object.hasOwn(urls, recipient) ? urls[recipient] : undefined;
        if (raw === undefined) {
          const known = Object.keys(urls);
          throw DeliveryError.permanent(`discord "${service.name}": no webhook for recipient "${recipient}" in webhooks (${known.length ? `it has ${known.join(', ')}` : 'it is empty'})`);
        }
        const what = `discord "${service.name}": POST for recipient "${recipient}" to ${shownUrl(raw)}`;
        if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`);
        const body = discordBody(notification);
        // The URL posted to (with ?wait=true): masked whole too, as a server may echo it.
        const target = executeUrl(raw);
        secrets.push(...urlSecrets(target.href));
        try {
          const answer = await postJson(target, body, {
            dispatcher: agents.get(service.name, options),
            signal: AbortSignal.any([signal, stopping.signal]),
            timeoutMs: options.timeout ?? config.timeout,
            userAgent: USER_AGENT,
            what,
          });
          const log = { service: service.name, recipient, stateKey: notification.stateKey, status: answer.status };
          if (answer.status >= 200 && answer.status <= 299) {
            logger.debug(log, 'discord message posted');
            return;
          }
          logger.debug({ ...log, rateLimitRemaining: answer.headers['x-ratelimit-remaining'] }, 'discord message refused');
          // Masked before the error cuts it to an excerpt: a cut secret would show its start.
          throw answerError(what, { ...answer, body: maskSecrets(answer.body, secrets) });
        } catch (err) {
          if (!isDeliveryError(err)) throw err;
          throw maskedDeliveryError(err, secrets);
        }
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('discord sink stopped', 'AbortError'));
          await agents.close();
        })();
        return stopped;
      },
    };
  },
});
