import { coreServices, defineSink, DeliveryError, serviceOptionsReader } from '@herald/plugin-sdk';
import { refusedError } from './errors.ts';
import { callApi, SinkConnections } from '@herald/plugin-http';
import { buildAlert } from './opsgenie-alert.ts';
import { opsgeniePluginConfigSchema, opsgenieServiceConfigSchema, opsgenieTemplateSchema } from './opsgenie.config.ts';

/**
 * Argo's opsgenie service: one Alert API v2 create request per `send`, with the API key of the recipient's
 * team. Opsgenie's rate limits depend on the account's plan and size, so the sink declares none and
 * honours its throttling answers (429 with the rate window's length).
 */
export default defineSink({
  id: 'opsgenie',
  description: "Creates Opsgenie alerts for a team through the Alert API v2, like Argo's opsgenie service, aliased by idempotency key",
  sdkVersion: '^1.0.0',
  serviceTypes: ['opsgenie'],
  configSchema: opsgeniePluginConfigSchema,
  serviceConfigSchema: opsgenieServiceConfigSchema,
  templateSchema: opsgenieTemplateSchema,
  deps: { logger: coreServices.logger },
  async init({ logger }) {
    const connections = new SinkConnections('opsgenie');
    const parseOptions = serviceOptionsReader('opsgenie', opsgenieServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const what = `opsgenie "${service.name}"`;
        const bound = connections.signal(signal, what);
        const options = parseOptions(service);
        const team = notification.destination.recipient;
        const apiKey = Object.hasOwn(options.apiKeys, team) ? options.apiKeys[team] : undefined;
        if (!apiKey) {
          const known = Object.keys(options.apiKeys);
          throw DeliveryError.permanent(`${what}: no API key for team "${team}" in apiKeys (it has: ${known.length ? known.join(', ') : 'none'})`);
        }
        const alert = buildAlert(notification);
        const url = new URL('v2/alerts', options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
        const answer = await callApi(
          connections.agents.get(options, service.name),
          { url, method: 'POST', headers: { 'content-type': 'application/json', authorization: `GenieKey ${apiKey}` }, body: JSON.stringify(alert) },
          { what: `${what}: POST ${url.href}`, timeoutMs: options.timeout, signal: bound, secrets: [...Object.values(options.apiKeys), ...(service.secrets ?? [])] },
        );
        if (answer.status < 200 || answer.status > 299) throw refusedError(`${what}: alert for team "${team}"`, answer);
        logger.debug({ service: service.name, team, stateKey: notification.stateKey, alias: alert.alias }, 'opsgenie alert accepted');
      },

      stop: () => connections.stop(),
    };
  },
});

