import { coreServices, defineSink, serviceOptionsReader } from '@herald/plugin-sdk';
import { callApi, shownUrl, SinkConnections, urlSecrets, webhookFor } from '@herald/plugin-http';
import pkg from '../package.json' with { type: 'json' };
import { answerError, googleError } from './errors.ts';
import { googleChatBody, postUrl } from './googlechat-message.ts';
import { googleChatPluginConfigSchema, googleChatServiceConfigSchema, googleChatTemplateSchema } from './googlechat.config.ts';

const USER_AGENT = `herald/${pkg.version}`;

/**
 * Argo's googlechat service: one POST of a text or card message to the incoming webhook of the space the
 * recipient names in `webhooks`, in the `threadKey`'s thread when the template gives one; once per `send`.
 * Sent means Google created the message (2xx, no error in the answer). Google Chat's documented limit for a
 * space, one message write a second (shared by every webhook and app in it), is the declared default.
 */
export default defineSink({
  id: 'googlechat',
  description: "Posts notifications to Google Chat spaces through incoming webhooks, like Argo's googlechat service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['googlechat'],
  configSchema: googleChatPluginConfigSchema,
  serviceConfigSchema: googleChatServiceConfigSchema,
  templateSchema: googleChatTemplateSchema,
  limits: { perSecond: 1, burst: 1 },
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const connections = new SinkConnections('googlechat');
    const serviceConfig = serviceOptionsReader('googlechat', googleChatServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const recipient = notification.destination.recipient;
        const options = serviceConfig(service);
        const urls = options.webhooks;
        const secrets = [...(service.secrets ?? []), ...Object.values(urls).flatMap(urlSecrets)];
        const raw = webhookFor(`googlechat "${service.name}"`, urls, 'webhooks', recipient);
        const what = `googlechat "${service.name}": POST for recipient "${recipient}" to ${shownUrl(raw)}`;
        const bound = connections.signal(signal, what);
        const body = googleChatBody(notification);
        // The URL posted to carries the thread key too: masked whole, as a server may echo it.
        const target = postUrl(notification, raw);
        secrets.push(...urlSecrets(target.href));
        const answer = await callApi(
          connections.agents.get(options, service.name),
          { url: target, method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT }, body },
          { what, timeoutMs: options.timeout ?? config.timeout, signal: bound, secrets },
        );
        const log = { service: service.name, recipient, stateKey: notification.stateKey, status: answer.status };
        if (answer.status >= 200 && answer.status <= 299 && googleError(answer.body) === undefined) {
          logger.debug(log, 'google chat message posted');
          return;
        }
        logger.debug(log, 'google chat message refused');
        throw answerError(what, answer);
      },

      stop: () => connections.stop(),
    };
  },
});
