import { coreServices, DeliveryError, defineSink, isDeliveryError, maskErrorSecrets, maskSecrets, type ServiceInstance } from '@herald/plugin-sdk';
import { answerError } from './errors.ts';
import { AgentPool, callApi } from '@herald/plugin-http';
import { buildMessage } from './pushover-message.ts';
import { pushoverPluginConfigSchema, pushoverServiceConfigSchema, type PushoverServiceConfig } from './pushover.config.ts';

/** Pushover: "no more than two concurrent HTTP requests" from an application. */
const MAX_CONNECTIONS = 2;

/**
 * Argo's pushover service: one `POST /messages.json` per `send` (form: token, user, message, priority 0).
 * Pushover's documented limits are a monthly message quota (its 429) and at most two concurrent
 * connections: the sink's connection pool opens at most two, and each destination has two sends in flight
 * at most. No template schema: Argo's pushover service has no block.
 */
export default defineSink({
  id: 'pushover',
  description: "Sends notifications to Pushover users and groups, like Argo's pushover service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['pushover'],
  configSchema: pushoverPluginConfigSchema,
  serviceConfigSchema: pushoverServiceConfigSchema,
  limits: { perDestination: MAX_CONNECTIONS },
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const agents = new AgentPool({ connections: MAX_CONNECTIONS });
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const parsed = new WeakMap<object, PushoverServiceConfig>();

    // Herald parses service options when the config loads; parsing again here (once per options object)
    // keeps the sink safe from options that did not come through that path. Messages name keys, not values.
    const serviceConfig = (service: ServiceInstance<unknown>): PushoverServiceConfig => {
      const raw = service.config;
      const known = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
      if (known) return known;
      const result = pushoverServiceConfigSchema.safeParse(raw);
      if (!result.success) {
        const issues = result.error.issues.map((issue) => `${['service', service.type, ...issue.path].join('.')}: ${issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : 'invalid'}`);
        throw DeliveryError.permanent(`pushover "${service.name}": invalid service options: ${issues.join('; ')}`);
      }
      if (typeof raw === 'object' && raw !== null) parsed.set(raw, result.data);
      return result.data;
    };

    return {
      async send(notification, { signal, service }) {
        const user = notification.destination.recipient;
        const what = `pushover "${service.name}": message to ${user}`;
        const secrets = [...(service.secrets ?? [])];
        try {
          if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: stopping.signal.reason });
          const options = serviceConfig(service);
          secrets.push(options.token);
          const message = buildMessage(notification);
          const answer = await callApi(
            agents.get(),
            {
              url: `${options.apiURL.replace(/\/+$/, '')}/messages.json`,
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ token: options.token, ...message }).toString(),
            },
            { what, timeoutMs: options.timeout ?? config.timeout, signal: AbortSignal.any([signal, stopping.signal]) },
          );
          if (answer.status !== 200 || !/"status"\s*:\s*1\b/.test(answer.body)) throw answerError(what, answer);
          logger.debug({ service: service.name, user, stateKey: notification.stateKey, remaining: answer.headers['x-limit-app-remaining'] }, 'pushover message sent');
        } catch (err) {
          const masked = maskErrorSecrets(err, secrets);
          if (isDeliveryError(masked)) throw masked;
          throw DeliveryError.transient(maskSecrets(`${what}: ${String(masked)}`, secrets), { cause: masked });
        }
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('pushover sink stopped', 'AbortError'));
          await agents.close();
        })();
        return stopped;
      },
    };
  },
});
