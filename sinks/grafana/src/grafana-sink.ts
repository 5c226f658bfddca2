import { coreServices, DeliveryError, defineSink, isDeliveryError, maskErrorSecrets, maskSecrets, type ServiceInstance } from '@herald/plugin-sdk';
import { answerError } from './errors.ts';
import { AgentPool, callApi } from '@herald/plugin-http';
import { annotationsUrl, buildAnnotation } from './grafana-annotation.ts';
import { grafanaPluginConfigSchema, grafanaServiceConfigSchema, type GrafanaServiceConfig } from './grafana.config.ts';

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
    const agents = new AgentPool();
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const parsed = new WeakMap<object, GrafanaServiceConfig>();

    // Herald parses service options when the config loads; parsing again here (once per options object)
    // keeps the sink safe from options that did not come through that path. Messages name keys, not values.
    const serviceConfig = (service: ServiceInstance<unknown>): GrafanaServiceConfig => {
      const raw = service.config;
      const known = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
      if (known) return known;
      const result = grafanaServiceConfigSchema.safeParse(raw);
      if (!result.success) {
        const issues = result.error.issues.map((issue) => `${['service', service.type, ...issue.path].join('.')}: ${issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : 'invalid'}`);
        throw DeliveryError.permanent(`grafana "${service.name}": invalid service options: ${issues.join('; ')}`);
      }
      if (typeof raw === 'object' && raw !== null) parsed.set(raw, result.data);
      return result.data;
    };

    return {
      async send(notification, { signal, service }) {
        const tags = notification.destination.recipient;
        const what = `grafana "${service.name}": annotation tagged ${tags || '(none)'}`;
        const secrets = [...(service.secrets ?? [])];
        try {
          if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: stopping.signal.reason });
          const options = serviceConfig(service);
          secrets.push(options.apiKey);
          const annotation = buildAnnotation(notification, clock.now().getTime());
          // Argo sends an empty text anyway (Grafana refuses it, 400); say why in the log.
          if (!annotation.text) logger.warn({ service: service.name, template: notification.template }, 'grafana annotation text is empty: the template renders no message');
          const answer = await callApi(
            agents.get(options.insecureSkipVerify),
            {
              url: annotationsUrl(options.apiUrl),
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
              body: JSON.stringify(annotation),
            },
            { what, timeoutMs: options.timeout ?? config.timeout, signal: AbortSignal.any([signal, stopping.signal]) },
          );
          // Argo takes only 200 as success; Grafana answers 200 to an added annotation.
          if (answer.status !== 200) throw answerError(what, answer);
          logger.debug({ service: service.name, tags, stateKey: notification.stateKey }, 'grafana annotation added');
        } catch (err) {
          const masked = maskErrorSecrets(err, secrets);
          if (isDeliveryError(masked)) throw masked;
          throw DeliveryError.transient(maskSecrets(`${what}: ${String(masked)}`, secrets), { cause: masked });
        }
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('grafana sink stopped', 'AbortError'));
          await agents.close();
        })();
        return stopped;
      },
    };
  },
});
