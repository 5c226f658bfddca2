import { coreServices, DeliveryError, defineSink, isDeliveryError, maskSecrets, type ServiceInstance } from '@herald/plugin-sdk';
import { AgentPool, maskedDeliveryError, postJson, shownUrl, urlSecrets } from '@herald/core-http';
import pkg from '../package.json' with { type: 'json' };
import { answerError, googleError } from './errors.ts';
import { googleChatBody, postUrl } from './googlechat-message.ts';
import { googleChatPluginConfigSchema, googleChatServiceConfigSchema, googleChatTemplateSchema, type GoogleChatServiceConfig } from './googlechat.config.ts';

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
    const agents = new AgentPool();
    // Aborted by stop(): later sends fail at once, requests in flight are cut.
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const parsed = new WeakMap<object, GoogleChatServiceConfig>();

    // Herald parses service options when the config loads; parsing again here (once per options object)
    // keeps the sink safe from options that did not come that way. Messages name keys, never values.
    const serviceConfig = (service: ServiceInstance<unknown>): GoogleChatServiceConfig => {
      const raw = service.config;
      const known = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
      if (known) return known;
      const result = googleChatServiceConfigSchema.safeParse(raw);
      if (!result.success) {
        const keys = result.error.issues.map((issue) => [`service.${service.type}`, ...issue.path].join('.'));
        throw DeliveryError.permanent(`googlechat "${service.name}": invalid service options: ${keys.join(', ')}`);
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
          throw DeliveryError.permanent(`googlechat "${service.name}": no webhook for recipient "${recipient}" in webhooks (${known.length ? `it has ${known.join(', ')}` : 'it is empty'})`);
        }
        const what = `googlechat "${service.name}": POST for recipient "${recipient}" to ${shownUrl(raw)}`;
        if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`);
        const body = googleChatBody(notification);
        // The URL posted to carries the thread key too: masked whole, as a server may echo it.
        const target = postUrl(notification, raw);
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
          if (answer.status >= 200 && answer.status <= 299 && googleError(answer.body) === undefined) {
            logger.debug(log, 'google chat message posted');
            return;
          }
          logger.debug(log, 'google chat message refused');
          // Masked before the error cuts it to an excerpt: a cut secret would show its start.
          throw answerError(what, { ...answer, body: maskSecrets(answer.body, secrets) });
        } catch (err) {
          if (!isDeliveryError(err)) throw err;
          throw maskedDeliveryError(err, secrets);
        }
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('googlechat sink stopped', 'AbortError'));
          await agents.close();
        })();
        return stopped;
      },
    };
  },
});
