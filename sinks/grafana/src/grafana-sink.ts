import { coreServices, defineSink, serviceOptionsReader } from '@herald/plugin-sdk';
import { answerError } from './errors.ts';
import { callApi, SinkConnections, deliveryFailure } from '@herald/plugin-http';
import { annotationsUrl, buildAnnotation } from './grafana-annotation.ts';
import { grafanaPluginConfigSchema, grafanaServiceConfigSchema } from './grafana.config.ts';

/**
 * Argo's grafana service: one `POST <apiUrl>/annotations` per `send`, an annotation tagged with the
 * recipient's tags. Grafana documents no rate limit for its HTTP API: none is declared (a 429 from a proxy
 * or Grafana Cloud is honoured). No template schema: Argo's grafana service has no block.
 */
export default defineSink({
  id: 'grafana',
  description: "Adds Grafana annotations, like Argo's grafana service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['grafana'],
  configSchema: grafanaPluginConfigSchema,
  serviceConfigSchema: grafanaServiceConfigSchema,
  deps: { logger: coreServices.logger, clock: coreServices.clock },
  async init({ config, logger, clock }) {
    const connections = new SinkConnections('grafana');
    const serviceConfig = serviceOptionsReader('grafana', grafanaServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const tags = notification.destination.recipient;
        const what = `grafana "${service.name}": annotation tagged ${tags || '(none)'}`;
        const secrets = [...(service.secrets ?? [])];
        try {
          const bound = connections.signal(signal, what);
          const options = serviceConfig(service);
          secrets.push(options.apiKey);
          const annotation = buildAnnotation(notification, clock.now().getTime());
          // Argo sends an empty text anyway (Grafana refuses it, 400); say why in the log.
          if (!annotation.text) logger.warn({ service: service.name, template: notification.template }, 'grafana annotation text is empty: the template renders no message');
          const answer = await callApi(
            connections.agents.get(options, service.name),
            {
              url: annotationsUrl(options.apiUrl),
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
              body: JSON.stringify(annotation),
            },
            { what, timeoutMs: options.timeout ?? config.timeout, signal: bound, secrets },
          );
          // Argo takes only 200 as success; Grafana answers 200 to an added annotation.
          if (answer.status !== 200) throw answerError(what, answer);
          logger.debug({ service: service.name, tags, stateKey: notification.stateKey }, 'grafana annotation added');
        } catch (err) {
          throw deliveryFailure(err, what, secrets);
        }
      },

      stop: () => connections.stop(),
    };
  },
});
