import { coreServices, DeliveryError, defineSink, serviceOptionsReader } from '@herald/plugin-sdk';
import { callApi, SinkConnections } from '@herald/plugin-http';
import pkg from '../package.json' with { type: 'json' };
import { answerError } from './errors.ts';
import { mattermostBody, postsUrl } from './mattermost-post.ts';
import { mattermostPluginConfigSchema, mattermostServiceConfigSchema, mattermostTemplateSchema } from './mattermost.config.ts';

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
    const connections = new SinkConnections('mattermost');
    const serviceConfig = serviceOptionsReader('mattermost', mattermostServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const channel = notification.destination.recipient;
        const options = serviceConfig(service);
        const secrets = [...(service.secrets ?? []), options.token];
        if (!channel) throw DeliveryError.permanent(`mattermost "${service.name}": no channel (the subscription names none, e.g. mattermost:<channel id>)`);
        const url = postsUrl(options.apiURL);
        const what = `mattermost "${service.name}": POST ${url.origin}${url.pathname} to channel ${channel}`;
        const bound = connections.signal(signal, what);
        const body = mattermostBody(notification, channel);
        const answer = await callApi(
          connections.agents.get(options, service.name),
          { url, method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, authorization: `Bearer ${options.token}` }, body },
          { what, timeoutMs: options.timeout ?? config.timeout, signal: bound, secrets },
        );
        const log = { service: service.name, channel, stateKey: notification.stateKey, status: answer.status };
        if (answer.status >= 200 && answer.status <= 299) {
          logger.debug(log, 'mattermost post created');
          return;
        }
        logger.debug(log, 'mattermost post refused');
        throw answerError(what, answer);
      },

      stop: () => connections.stop(),
    };
  },
});
