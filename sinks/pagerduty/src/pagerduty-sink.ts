import { coreServices, defineSink, DeliveryError, serviceOptionsReader } from '@herald/plugin-sdk';
import { isOpenIncidentWithKey, refusedError } from './errors.ts';
import { callApi, SinkConnections } from '@herald/plugin-http';
import { buildIncident } from './pagerduty-incident.ts';
import { pagerdutyPluginConfigSchema, pagerdutyServiceConfigSchema, pagerdutyTemplateSchema } from './pagerduty.config.ts';

/**
 * Argo's pagerduty service: one REST API `POST /incidents` per `send`, on the PagerDuty service the
 * recipient names. The REST API's documented rate, 960 requests a minute per API key, is the declared
 * default limit per destination (16 a second).
 */
export default defineSink({
  id: 'pagerduty',
  description: "Creates PagerDuty incidents through the REST API, like Argo's pagerduty service, keyed by idempotency key",
  sdkVersion: '^1.0.0',
  serviceTypes: ['pagerduty'],
  configSchema: pagerdutyPluginConfigSchema,
  serviceConfigSchema: pagerdutyServiceConfigSchema,
  templateSchema: pagerdutyTemplateSchema,
  limits: { perSecond: 16, burst: 16 },
  deps: { logger: coreServices.logger },
  async init({ logger }) {
    const connections = new SinkConnections('pagerduty');
    const parseOptions = serviceOptionsReader('pagerduty', pagerdutyServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const what = `pagerduty "${service.name}"`;
        const bound = connections.signal(signal, what);
        const options = parseOptions(service);
        const serviceId = notification.destination.recipient || options.serviceId;
        if (!serviceId) throw DeliveryError.permanent(`${what}: no PagerDuty service id: the subscription names none (pagerduty:<service id>) and the service sets no serviceId`);
        const incident = buildIncident(notification, serviceId);
        const url = new URL('/incidents', options.apiURL);
        const headers = {
          'content-type': 'application/json',
          accept: 'application/vnd.pagerduty+json;version=2',
          authorization: `Token token=${options.token}`,
          ...(options.from ? { from: options.from } : {}),
        };
        const answer = await callApi(
          connections.agents.get(options, service.name),
          { url, method: 'POST', headers, body: JSON.stringify(incident) },
          { what: `${what}: POST ${url.href}`, timeoutMs: options.timeout, signal: bound, secrets: [options.token, ...(service.secrets ?? [])] },
        );
        const log = { service: service.name, serviceId, stateKey: notification.stateKey, incidentKey: incident.incident.incident_key };
        if (isOpenIncidentWithKey(answer)) {
          logger.info(log, 'pagerduty incident with this key is already open; not opening another');
          return;
        }
        if (answer.status < 200 || answer.status > 299) throw refusedError(`${what}: incident on service ${serviceId}`, answer);
        logger.debug(log, 'pagerduty incident created');
      },

      stop: () => connections.stop(),
    };
  },
});

