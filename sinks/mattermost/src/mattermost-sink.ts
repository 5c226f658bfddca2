import { coreServices, DeliveryError, defineSink, isDeliveryError, maskSecrets, type ServiceInstance } from '@herald/plugin-sdk';
import { AgentPool, maskedDeliveryError, postJson } from '@herald/core-http';
import pkg from '../package.json' with { type: 'json' };
import { answerError } from './errors.ts';
import { mattermostBody, postsUrl } from './mattermost-post.ts';
import { mattermostPluginConfigSchema, mattermostServiceConfigSchema, mattermostTemplateSchema, type MattermostServiceConfig } from './mattermost.config.ts';

const USER_AGENT = `herald/${pkg.version}`;

/**
 * Argo's mattermost service: one `POST /api/v4/posts` with the service's token, to the channel the
 * recipient names (a channel id), once per `send`. Sent means Mattermost created the post (2xx). Its
 * default rate limit (10 requests a second, bursts of 100, when the server enables it) is the declared one.
 */
export default defineSink({
  id: 'mattermost',
  description: "Posts notifications to Mattermost channels through the API v4, like Argo's mattermost service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['mattermost'],
  configSchema: mattermostPluginConfigSchema,
  serviceConfigSchema: mattermostServiceConfigSchema,
  templateSchema: mattermostTemplateSchema,
  limits: { perSecond: 10, burst: 100 },
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const agents = new AgentPool();
    // Aborted by stop(): later sends fail at once, requests in flight are cut.
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const parsed = new WeakMap<object, MattermostServiceConfig>();

    // Herald parses service options when the config loads; parsing again here (once per options object)
    // keeps the sink safe from options that did not come that way. Messages name keys, never values.
    const serviceConfig = (service: ServiceInstance<unknown>): MattermostServiceConfig => {
      const raw = service.config;
      const known = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
      if (known) return known;
      const result = mattermostServiceConfigSchema.safeParse(raw);
      if (!result.success) {
        const keys = result.error.issues.map((issue) => [`service.${service.type}`, ...issue.path].join('.'));
        throw DeliveryError.permanent(`mattermost "${service.name}": invalid service options: ${keys.join(', ')}`);
      }
      if (typeof raw === 'object' && raw !== null) parsed.set(raw, result.data);
      return result.data;
    };

    return {
      async send(notification, { signal, service }) {
        const channel = notification.destination.recipient;
        const options = serviceConfig(service);
        const secrets = [...(service.secrets ?? []), options.token];
        if (!channel) throw DeliveryError.permanent(`mattermost "${service.name}": no channel (the subscription names none, e.g. mattermost:<channel id>)`);
        const url = postsUrl(options.apiURL);
        const what = `mattermost "${service.name}": POST ${url.origin}${url.pathname} to channel ${channel}`;
        if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`);
        const body = mattermostBody(notification, channel);
        try {
          const answer = await postJson(url, body, {
            dispatcher: agents.get(service.name, options),
            signal: AbortSignal.any([signal, stopping.signal]),
            timeoutMs: options.timeout ?? config.timeout,
            userAgent: USER_AGENT,
            headers: { authorization: `Bearer ${options.token}` },
            what,
          });
          const log = { service: service.name, channel, stateKey: notification.stateKey, status: answer.status };
          if (answer.status >= 200 && answer.status <= 299) {
            logger.debug(log, 'mattermost post created');
            return;
          }
          logger.debug(log, 'mattermost post refused');
          // Masked before the error cuts it to an excerpt: a cut secret would show its start.
          throw answerError(what, { ...answer, body: maskSecrets(answer.body, secrets) });
        } catch (err) {
          if (!isDeliveryError(err)) throw err;
          throw maskedDeliveryError(err, secrets);
        }
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('mattermost sink stopped', 'AbortError'));
          await agents.close();
        })();
        return stopped;
      },
    };
  },
});
