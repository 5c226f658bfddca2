import { coreServices, DeliveryError, defineSink, isDeliveryError, maskSecrets, type ServiceInstance } from '@herald/plugin-sdk';
import { AgentPool, maskedDeliveryError, postJson, shownUrl, urlSecrets } from '@herald/core-http';
import pkg from '../package.json' with { type: 'json' };
import { answerError } from './errors.ts';
import { workflowsBody } from './adaptive-card.ts';
import { teamsWorkflowsPluginConfigSchema, teamsWorkflowsServiceConfigSchema, teamsWorkflowsTemplateSchema, type TeamsWorkflowsServiceConfig } from './teams-workflows.config.ts';
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
    const agents = new AgentPool();
    // Aborted by stop(): later sends fail at once, requests in flight are cut.
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const parsed = new WeakMap<object, TeamsWorkflowsServiceConfig>();

    // Herald parses service options when the config loads; parsing again here (once per options object)
    // keeps the sink safe from options that did not come that way. Messages name keys, never values.
    const serviceConfig = (service: ServiceInstance<unknown>): TeamsWorkflowsServiceConfig => {
      const raw = service.config;
      const known = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
      if (known) return known;
      const result = teamsWorkflowsServiceConfigSchema.safeParse(raw);
      if (!result.success) {
        const keys = result.error.issues.map((issue) => [`service.${service.type}`, ...issue.path].join('.'));
        throw DeliveryError.permanent(`teams-workflows "${service.name}": invalid service options: ${keys.join(', ')}`);
      }
      if (typeof raw === 'object' && raw !== null) parsed.set(raw, result.data);
      return result.data;
    };

    return {
      async send(notification, { signal, service }) {
        const recipient = notification.destination.recipient;
        const options = serviceConfig(service);
        const urls = options.recipientUrls;
        const secrets = [...(service.secrets ?? []), ...Object.values(urls).flatMap(urlSecrets)];
        const raw = Object.hasOwn(urls, recipient) ? urls[recipient] : undefined;
        if (raw === undefined) {
          const known = Object.keys(urls);
          throw DeliveryError.permanent(`teams-workflows "${service.name}": no webhook for recipient "${recipient}" in recipientUrls (${known.length ? `it has ${known.join(', ')}` : 'it is empty'})`);
        }
        const problem = workflowUrlProblem(raw);
        if (problem) throw DeliveryError.permanent(`teams-workflows "${service.name}": recipient "${recipient}": ${problem}`);
        const what = `teams-workflows "${service.name}": POST for recipient "${recipient}" to ${shownUrl(raw)}`;
        if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`);
        const body = workflowsBody(notification);
        try {
          const answer = await postJson(new URL(raw), body, {
            dispatcher: agents.get(service.name, options),
            signal: AbortSignal.any([signal, stopping.signal]),
            timeoutMs: options.timeout ?? config.timeout,
            userAgent: USER_AGENT,
            what,
          });
          const log = { service: service.name, recipient, stateKey: notification.stateKey, status: answer.status };
          if (answer.status >= 200 && answer.status <= 299) {
            logger.debug(log, 'teams workflow triggered');
            return;
          }
          logger.debug(log, 'teams workflow refused the request');
          // Masked before the error cuts it to an excerpt: a cut secret would show its start.
          throw answerError(what, { ...answer, body: maskSecrets(answer.body, secrets) });
        } catch (err) {
          if (!isDeliveryError(err)) throw err;
          throw maskedDeliveryError(err, secrets);
        }
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('teams-workflows sink stopped', 'AbortError'));
          await agents.close();
        })();
        return stopped;
      },
    };
  },
});
