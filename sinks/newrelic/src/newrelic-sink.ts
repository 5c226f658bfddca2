import { coreServices, DeliveryError, defineSink, serviceOptionsReader } from '@herald/plugin-sdk';
import { answerError } from './errors.ts';
import { callApi, SinkConnections, deliveryFailure } from '@herald/plugin-http';
import { buildMarker, markersUrl } from './newrelic-marker.ts';
import { newrelicPluginConfigSchema, newrelicServiceConfigSchema, newrelicTemplateSchema } from './newrelic.config.ts';

/**
 * Argo's newrelic service: one deployment marker (`POST /v2/applications/<recipient>/deployments.json`)
 * per `send`. Unlike Argo, which never looks at the answer, a marker New Relic refused is an error.
 * New Relic documents no fixed rate for this endpoint: none is declared, a 429's `Retry-After` is honoured.
 */
export default defineSink({
  id: 'newrelic',
  description: "Creates New Relic deployment markers, like Argo's newrelic service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['newrelic'],
  configSchema: newrelicPluginConfigSchema,
  serviceConfigSchema: newrelicServiceConfigSchema,
  templateSchema: newrelicTemplateSchema,
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const connections = new SinkConnections('newrelic');
    const serviceConfig = serviceOptionsReader('newrelic', newrelicServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const application = notification.destination.recipient;
        const what = `newrelic "${service.name}": deployment marker for application ${application}`;
        const secrets = [...(service.secrets ?? [])];
        try {
          const bound = connections.signal(signal, what);
          if (!application) throw DeliveryError.permanent(`${what}: no application id (the subscription names none, e.g. newrelic:123456789)`);
          const options = serviceConfig(service);
          secrets.push(options.apiKey);
          const marker = buildMarker(notification);
          const answer = await callApi(
            connections.agents.get(options, service.name),
            {
              url: markersUrl(options.apiURL, application),
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
              body: JSON.stringify(marker),
            },
            { what, timeoutMs: options.timeout ?? config.timeout, signal: bound, secrets },
          );
          if (answer.status < 200 || answer.status > 299) throw answerError(what, answer);
          logger.debug({ service: service.name, application, stateKey: notification.stateKey }, 'newrelic deployment marker created');
        } catch (err) {
          throw deliveryFailure(err, what, secrets);
        }
      },

      stop: () => connections.stop(),
    };
  },
});
