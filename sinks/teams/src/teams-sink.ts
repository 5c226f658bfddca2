import { coreServices, defineSink, serviceOptionsReader } from '@herald/plugin-sdk';
import { callApi, shownUrl, SinkConnections, urlSecrets, webhookFor } from '@herald/plugin-http';
import pkg from '../package.json' with { type: 'json' };
import { answerError } from './errors.ts';
import { teamsBody } from './teams-card.ts';
import { teamsPluginConfigSchema, teamsServiceConfigSchema, teamsTemplateSchema } from './teams.config.ts';

const USER_AGENT = `herald/${pkg.version}`;

/**
 * Argo's teams service: one POST of a MessageCard (or the template's own body) to the incoming webhook URL
 * the recipient names in `recipientUrls`, sent once per `send`. Sent means what Argo counts: the connector
 * answered `1`. Teams' documented connector limit (4 requests a second, 60 in 30 seconds per webhook) is
 * the declared default.
 */
export default defineSink({
  id: 'teams',
  description: "Posts notifications to Microsoft Teams incoming webhooks (Office 365 connectors), like Argo's teams service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['teams'],
  configSchema: teamsPluginConfigSchema,
  serviceConfigSchema: teamsServiceConfigSchema,
  templateSchema: teamsTemplateSchema,
  limits: { perSecond: 2, burst: 4 },
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const connections = new SinkConnections('teams');
    const serviceConfig = serviceOptionsReader('teams', teamsServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const recipient = notification.destination.recipient;
        const options = serviceConfig(service);
        const urls = options.recipientUrls;
        const secrets = [...(service.secrets ?? []), ...Object.values(urls).flatMap(urlSecrets)];
        const raw = webhookFor(`teams "${service.name}"`, urls, 'recipientUrls', recipient);
        const what = `teams "${service.name}": POST for recipient "${recipient}" to ${shownUrl(raw)}`;
        const bound = connections.signal(signal, what);
        const body = teamsBody(notification);
        const answer = await callApi(
          connections.agents.get(options, service.name),
          { url: new URL(raw), method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT }, body },
          { what, timeoutMs: options.timeout ?? config.timeout, signal: bound, secrets },
        );
        const log = { service: service.name, recipient, stateKey: notification.stateKey, status: answer.status };
        // Argo's rule: the connector posted the card when it answered `1`, whatever else it did.
        if (answer.body === '1') {
          logger.debug(log, 'teams card posted');
          return;
        }
        logger.debug(log, 'teams card refused');
        throw answerError(what, answer);
      },

      stop: () => connections.stop(),
    };
  },
});
