import { coreServices, DeliveryError, defineSink, isDeliveryError, maskSecrets, type ServiceInstance } from '@herald/plugin-sdk';
import { AgentPool, maskedDeliveryError, postJson, shownUrl, urlSecrets } from '@herald/core-http';
import pkg from '../package.json' with { type: 'json' };
import { answerError } from './errors.ts';
import { teamsBody } from './teams-card.ts';
import { teamsPluginConfigSchema, teamsServiceConfigSchema, teamsTemplateSchema, type TeamsServiceConfig } from './teams.config.ts';

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
    const agents = new AgentPool();
    // Aborted by stop(): later sends fail at once, requests in flight are cut.
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const parsed = new WeakMap<object, TeamsServiceConfig>();

    // Herald parses service options when the config loads; parsing again here (once per options object)
    // keeps the sink safe from options that did not come that way. Messages name keys, never values.
    const serviceConfig = (service: ServiceInstance<unknown>): TeamsServiceConfig => {
      const raw = service.config;
      const known = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
      if (known) return known;
      const result = teamsServiceConfigSchema.safeParse(raw);
      if (!result.success) {
        const keys = result.error.issues.map((issue) => [`service.${service.type}`, ...issue.path].join('.'));
        throw DeliveryError.permanent(`teams "${service.name}": invalid service options: ${keys.join(', ')}`);
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
          throw DeliveryError.permanent(`teams "${service.name}": no webhook for recipient "${recipient}" in recipientUrls (${known.length ? `it has ${known.join(', ')}` : 'it is empty'})`);
        }
        const what = `teams "${service.name}": POST for recipient "${recipient}" to ${shownUrl(raw)}`;
        if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`);
        const body = teamsBody(notification);
        try {
          const answer = await postJson(new URL(raw), body, {
            dispatcher: agents.get(service.name, options),
            signal: AbortSignal.any([signal, stopping.signal]),
            timeoutMs: options.timeout ?? config.timeout,
            userAgent: USER_AGENT,
            what,
          });
          const log = { service: service.name, recipient, stateKey: notification.stateKey, status: answer.status };
          // Argo's rule: the connector posted the card when it answered `1`, whatever else it did.
          if (answer.body === '1') {
            logger.debug(log, 'teams card posted');
            return;
          }
          logger.debug(log, 'teams card refused');
          // Masked before the error cuts it to an excerpt: a cut secret would show its start.
          throw answerError(what, { ...answer, body: maskSecrets(answer.body, secrets) });
        } catch (err) {
          if (!isDeliveryError(err)) throw err;
          throw maskedDeliveryError(err, secrets);
        }
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('teams sink stopped', 'AbortError'));
          await agents.close();
        })();
        return stopped;
      },
    };
  },
});
