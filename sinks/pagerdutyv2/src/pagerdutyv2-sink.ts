import { coreServices, defineSink, DeliveryError, serviceOptionsReader } from '@herald/plugin-sdk';
import { refusedError } from './errors.ts';
import { callApi, SinkConnections } from '@herald/plugin-http';
import { buildEvent } from './pagerduty-event.ts';
import { pagerdutyv2PluginConfigSchema, pagerdutyv2ServiceConfigSchema, pagerdutyv2TemplateSchema } from './pagerdutyv2.config.ts';

/**
 * Argo's pagerdutyv2 service: one Events API v2 trigger event per `send`, to the routing key the recipient
 * names. PagerDuty's documented rate, 120 events a minute per integration key, is the declared default
 * limit per destination (service and recipient: one routing key).
 */
export default defineSink({
  id: 'pagerdutyv2',
  description: "Triggers PagerDuty alerts through the Events API v2, like Argo's pagerdutyv2 service, deduplicated by idempotency key",
  sdkVersion: '^1.0.0',
  serviceTypes: ['pagerdutyv2'],
  configSchema: pagerdutyv2PluginConfigSchema,
  serviceConfigSchema: pagerdutyv2ServiceConfigSchema,
  templateSchema: pagerdutyv2TemplateSchema,
  limits: { perSecond: 2, burst: 10 },
  deps: { logger: coreServices.logger },
  async init({ logger }) {
    const connections = new SinkConnections('pagerdutyv2');
    const parseOptions = serviceOptionsReader('pagerdutyv2', pagerdutyv2ServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const what = `pagerdutyv2 "${service.name}"`;
        const bound = connections.signal(signal, what);
        const options = parseOptions(service);
        const recipient = notification.destination.recipient;
        const routingKey = Object.hasOwn(options.serviceKeys, recipient) ? options.serviceKeys[recipient] : undefined;
        if (!routingKey) {
          const known = Object.keys(options.serviceKeys);
          throw DeliveryError.permanent(`${what}: no routing key for recipient "${recipient}" in serviceKeys (it has: ${known.length ? known.join(', ') : 'none'})`);
        }
        const event = buildEvent(notification, routingKey);
        const url = new URL('/v2/enqueue', options.apiURL);
        const answer = await callApi(
          connections.agents.get(options, service.name),
          { url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) },
          { what: `${what}: POST ${url.href}`, timeoutMs: options.timeout, signal: bound, secrets: [...Object.values(options.serviceKeys), ...(service.secrets ?? [])] },
        );
        if (answer.status < 200 || answer.status > 299) throw refusedError(`${what}: event for recipient "${recipient}"`, answer);
        logger.debug({ service: service.name, recipient, stateKey: notification.stateKey, dedupKey: event.dedup_key }, 'pagerduty event accepted');
      },

      stop: () => connections.stop(),
    };
  },
});

