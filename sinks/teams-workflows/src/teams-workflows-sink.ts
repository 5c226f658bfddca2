import { coreServices, DeliveryError, defineSink, serviceOptionsReader } from '@herald/plugin-sdk';
import { callApi, shownUrl, SinkConnections, urlSecrets, webhookFor } from '@herald/plugin-http';
import pkg from '../package.json' with { type: 'json' };
import { answerError } from './errors.ts';
import { workflowsBody } from './adaptive-card.ts';
import { teamsWorkflowsPluginConfigSchema, teamsWorkflowsServiceConfigSchema, teamsWorkflowsTemplateSchema } from './teams-workflows.config.ts';
import { workflowUrlProblem } from './workflow-url.ts';

const USER_AGENT = `herald/${pkg.version}`;

/**
 * Argo's teams-workflows service: one POST of an Adaptive Card in Teams' message envelope to the workflow
 * URL the recipient names in `recipientUrls`, once per `send`. Sent means what Argo counts: the trigger
 * answered 2xx (Power Automate answers 202 Accepted). The declared default rate stays under what the Teams
 * connector the workflow posts with allows (100 calls a minute per connection).
 */
export default defineSink({
  id: 'teams-workflows',
  description: "Posts Adaptive Cards to Microsoft Teams through Workflows (Power Automate) webhooks, like Argo's teams-workflows service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['teams-workflows'],
  configSchema: teamsWorkflowsPluginConfigSchema,
  serviceConfigSchema: teamsWorkflowsServiceConfigSchema,
  templateSchema: teamsWorkflowsTemplateSchema,
  limits: { perSecond: 1, burst: 4 },
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const connections = new SinkConnections('teams-workflows');
    const serviceConfig = serviceOptionsReader('teams-workflows', teamsWorkflowsServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const recipient = notification.destination.recipient;
        const options = serviceConfig(service);
        const urls = options.recipientUrls;
        const secrets = [...(service.secrets ?? []), ...Object.values(urls).flatMap(urlSecrets)];
        const raw = webhookFor(`teams-workflows "${service.name}"`, urls, 'recipientUrls', recipient);
        const problem = workflowUrlProblem(raw);
        if (problem) throw DeliveryError.permanent(`teams-workflows "${service.name}": recipient "${recipient}": ${problem}`);
        const what = `teams-workflows "${service.name}": POST for recipient "${recipient}" to ${shownUrl(raw)}`;
        const bound = connections.signal(signal, what);
        const body = workflowsBody(notification);
        const answer = await callApi(
          connections.agents.get(options, service.name),
          { url: new URL(raw), method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT }, body },
          { what, timeoutMs: options.timeout ?? config.timeout, signal: bound, secrets },
        );
        const log = { service: service.name, recipient, stateKey: notification.stateKey, status: answer.status };
        if (answer.status >= 200 && answer.status <= 299) {
          logger.debug(log, 'teams workflow triggered');
          return;
        }
        logger.debug(log, 'teams workflow refused the request');
        throw answerError(what, answer);
      },

      stop: () => connections.stop(),
    };
  },
});
