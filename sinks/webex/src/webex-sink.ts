import { coreServices, DeliveryError, defineSink, isDeliveryError, maskErrorSecrets, maskSecrets, type ServiceInstance } from '@herald/plugin-sdk';
import { answerError } from './errors.ts';
import { AgentPool, callApi } from '@herald/plugin-http';
import { buildMessage } from './webex-message.ts';
import { webexPluginConfigSchema, webexServiceConfigSchema, type WebexServiceConfig } from './webex.config.ts';

/**
 * Argo's webex service: one `POST /v1/messages` per `send`, the rendered `message` as markdown, to a room
 * id or a person's email. Webex documents no fixed rate, only 429 with `Retry-After`, which Herald honours:
 * no limit is declared. No template schema: Argo's webex service has no block.
 */
export default defineSink({
  id: 'webex',
  description: "Posts notifications to Webex rooms and people, like Argo's webex service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['webex'],
  configSchema: webexPluginConfigSchema,
  serviceConfigSchema: webexServiceConfigSchema,
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const agents = new AgentPool();
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const parsed = new WeakMap<object, WebexServiceConfig>();

    // Herald parses service options when the config loads; parsing again here (once per options object)
    // keeps the sink safe from options that did not come through that path. Messages name keys, not values.
    const serviceConfig = (service: ServiceInstance<unknown>): WebexServiceConfig => {
      const raw = service.config;
      const known = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
      if (known) return known;
      const result = webexServiceConfigSchema.safeParse(raw);
      if (!result.success) {
        const issues = result.error.issues.map((issue) => `${['service', service.type, ...issue.path].join('.')}: ${issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : 'invalid'}`);
        throw DeliveryError.permanent(`webex "${service.name}": invalid service options: ${issues.join('; ')}`);
      }
      if (typeof raw === 'object' && raw !== null) parsed.set(raw, result.data);
      return result.data;
    };

    return {
      async send(notification, { signal, service }) {
        const recipient = notification.destination.recipient;
        const what = `webex "${service.name}": message to ${recipient}`;
        const secrets = [...(service.secrets ?? [])];
        try {
          if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: stopping.signal.reason });
          const options = serviceConfig(service);
          secrets.push(options.token);
          const message = buildMessage(notification);
          const answer = await callApi(
            agents.get(options.insecureSkipVerify),
            {
              url: `${options.apiURL.replace(/\/+$/, '')}/v1/messages`,
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
              body: JSON.stringify(message),
            },
            { what, timeoutMs: options.timeout ?? config.timeout, signal: AbortSignal.any([signal, stopping.signal]) },
          );
          // Argo takes only 200 as success; Webex answers 200 to a created message.
          if (answer.status !== 200) throw answerError(what, answer);
          logger.debug({ service: service.name, recipient, stateKey: notification.stateKey }, 'webex message sent');
        } catch (err) {
          const masked = maskErrorSecrets(err, secrets);
          if (isDeliveryError(masked)) throw masked;
          throw DeliveryError.transient(maskSecrets(`${what}: ${String(masked)}`, secrets), { cause: masked });
        }
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('webex sink stopped', 'AbortError'));
          await agents.close();
        })();
        return stopped;
      },
    };
  },
});
