import { coreServices, DeliveryError, defineSink, isDeliveryError, maskErrorSecrets, maskSecrets, type ServiceInstance } from '@herald/plugin-sdk';
import { answerError } from './errors.ts';
import { AgentPool, callApi } from '@herald/plugin-http';
import { buildMarker, markersUrl } from './newrelic-marker.ts';
import { newrelicPluginConfigSchema, newrelicServiceConfigSchema, newrelicTemplateSchema, type NewrelicServiceConfig } from './newrelic.config.ts';

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
    const agents = new AgentPool();
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const parsed = new WeakMap<object, NewrelicServiceConfig>();

    // Herald parses service options when the config loads; parsing again here (once per options object)
    // keeps the sink safe from options that did not come through that path. Messages name keys, not values.
    const serviceConfig = (service: ServiceInstance<unknown>): NewrelicServiceConfig => {
      const raw = service.config;
      const known = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
      if (known) return known;
      const result = newrelicServiceConfigSchema.safeParse(raw);
      if (!result.success) {
        const issues = result.error.issues.map((issue) => `${['service', service.type, ...issue.path].join('.')}: ${issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : 'invalid'}`);
        throw DeliveryError.permanent(`newrelic "${service.name}": invalid service options: ${issues.join('; ')}`);
      }
      if (typeof raw === 'object' && raw !== null) parsed.set(raw, result.data);
      return result.data;
    };

    return {
      async send(notification, { signal, service }) {
        const application = notification.destination.recipient;
        const what = `newrelic "${service.name}": deployment marker for application ${application}`;
        const secrets = [...(service.secrets ?? [])];
        try {
          if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: stopping.signal.reason });
          if (!application) throw DeliveryError.permanent(`${what}: no application id (the subscription names none, e.g. newrelic:123456789)`);
          const options = serviceConfig(service);
          secrets.push(options.apiKey);
          const marker = buildMarker(notification);
          const answer = await callApi(
            agents.get(options.insecureSkipVerify),
            {
              url: markersUrl(options.apiURL, application),
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
              body: JSON.stringify(marker),
            },
            { what, timeoutMs: options.timeout ?? config.timeout, signal: AbortSignal.any([signal, stopping.signal]) },
          );
          if (answer.status < 200 || answer.status > 299) throw answerError(what, answer);
          logger.debug({ service: service.name, application, stateKey: notification.stateKey }, 'newrelic deployment marker created');
        } catch (err) {
          const masked = maskErrorSecrets(err, secrets);
          if (isDeliveryError(masked)) throw masked;
          throw DeliveryError.transient(maskSecrets(`${what}: ${String(masked)}`, secrets), { cause: masked });
        }
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('newrelic sink stopped', 'AbortError'));
          await agents.close();
        })();
        return stopped;
      },
    };
  },
});
