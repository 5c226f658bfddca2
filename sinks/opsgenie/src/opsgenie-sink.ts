import { coreServices, defineSink, DeliveryError, type ServiceInstance } from '@herald/plugin-sdk';
import { Agent } from 'undici';
import { refusedError } from './errors.ts';
import { postJson } from '@herald/plugin-http';
import { buildAlert } from './opsgenie-alert.ts';
import { opsgeniePluginConfigSchema, opsgenieServiceConfigSchema, opsgenieTemplateSchema, type OpsgenieServiceConfig } from './opsgenie.config.ts';

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
    const agents = new Map<string, Agent>();
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;

    const agentFor = (service: string, options: OpsgenieServiceConfig): Agent => {
      const key = JSON.stringify([service, options.insecureSkipVerify, options.maxConnsPerHost, options.idleConnTimeout ?? null]);
      let agent = agents.get(key);
      if (!agent) {
        agent = new Agent({
          ...(options.insecureSkipVerify ? { connect: { rejectUnauthorized: false } } : {}),
          ...(options.maxConnsPerHost > 0 ? { connections: options.maxConnsPerHost } : {}),
          ...(options.idleConnTimeout === undefined ? {} : { keepAliveTimeout: options.idleConnTimeout, keepAliveMaxTimeout: options.idleConnTimeout }),
        });
        agents.set(key, agent);
      }
      return agent;
    };

    return {
      async send(notification, { signal, service }) {
        const what = `opsgenie "${service.name}"`;
        if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: stopping.signal.reason });
        const options = parseOptions(service);
        const team = notification.destination.recipient;
        const apiKey = Object.hasOwn(options.apiKeys, team) ? options.apiKeys[team] : undefined;
        if (!apiKey) {
          const known = Object.keys(options.apiKeys);
          throw DeliveryError.permanent(`${what}: no API key for team "${team}" in apiKeys (it has: ${known.length ? known.join(', ') : 'none'})`);
        }
        const alert = buildAlert(notification);
        const url = new URL('v2/alerts', options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
        const answer = await postJson({
          dispatcher: agentFor(service.name, options),
          url,
          headers: { 'content-type': 'application/json', authorization: `GenieKey ${apiKey}` },
          body: JSON.stringify(alert),
          timeoutMs: options.timeout,
          signal: AbortSignal.any([signal, stopping.signal]),
          what: `${what}: POST ${url.href}`,
          secrets: [...Object.values(options.apiKeys), ...(service.secrets ?? [])],
        });
        if (answer.status < 200 || answer.status > 299) throw refusedError(`${what}: alert for team "${team}"`, answer);
        logger.debug({ service: service.name, team, stateKey: notification.stateKey, alias: alert.alias }, 'opsgenie alert accepted');
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('opsgenie sink stopped', 'AbortError'));
          const all = [...agents.values()];
          agents.clear();
          await Promise.all(all.map((a) => a.destroy(new Error('opsgenie sink stopped')).catch(() => undefined)));
        })();
        return stopped;
      },
    };
  },
});

/** The service's options, parsed again when they did not come through Herald's config loading. */
function parseOptions(service: ServiceInstance<unknown>): OpsgenieServiceConfig {
  const result = opsgenieServiceConfigSchema.safeParse(service.config);
  if (result.success) return result.data;
  // The issues name keys only, never values: API keys are among them.
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : 'invalid'}`);
  throw DeliveryError.permanent(`opsgenie "${service.name}": invalid service options: ${issues.join('; ')}`);
}
