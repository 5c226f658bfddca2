import { coreServices, DeliveryError, defineSink, isDeliveryError, maskErrorSecrets, maskSecrets, type ServiceInstance } from '@herald/plugin-sdk';
import { answerError } from './errors.ts';
import { AgentPool, callApi } from '@herald/plugin-http';
import { buildMessage, ignoredOptions, type RocketchatMessage } from './rocketchat-message.ts';
import { SessionCache, type Session } from './session-cache.ts';
import { rocketchatPluginConfigSchema, rocketchatServiceConfigSchema, rocketchatTemplateSchema, type RocketchatServiceConfig } from './rocketchat.config.ts';

/**
 * Argo's rocketchat service: `chat.postMessage` as a logged-in user. The login is kept (Argo logs in for
 * every message) and made again only when Rocket.Chat refuses the token. Rocket.Chat's REST rate limiter
 * lets a user call an endpoint 10 times a minute by default: the declared limit.
 */
export default defineSink({
  id: 'rocketchat',
  description: "Posts notifications to Rocket.Chat rooms, like Argo's rocketchat service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['rocketchat'],
  configSchema: rocketchatPluginConfigSchema,
  serviceConfigSchema: rocketchatServiceConfigSchema,
  templateSchema: rocketchatTemplateSchema,
  limits: { perSecond: 10 / 60, burst: 10 },
  deps: { logger: coreServices.logger },
  async init({ config, logger }) {
    const agents = new AgentPool();
    const sessions = new SessionCache();
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const parsed = new WeakMap<object, RocketchatServiceConfig>();
    // Services whose icon/avatar were warned about: once per service and values, not per message.
    const warned = new Set<string>();

    // Herald parses service options when the config loads; parsing again here (once per options object)
    // keeps the sink safe from options that did not come through that path. Messages name keys, not values.
    const serviceConfig = (service: ServiceInstance<unknown>): RocketchatServiceConfig => {
      const raw = service.config;
      const known = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
      if (known) return known;
      const result = rocketchatServiceConfigSchema.safeParse(raw);
      if (!result.success) {
        const issues = result.error.issues.map((issue) => `${['service', service.type, ...issue.path].join('.')}: ${issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : 'invalid'}`);
        throw DeliveryError.permanent(`rocketchat "${service.name}": invalid service options: ${issues.join('; ')}`);
      }
      if (typeof raw === 'object' && raw !== null) parsed.set(raw, result.data);
      return result.data;
    };

    return {
      async send(notification, { signal, service }) {
        const room = notification.destination.recipient;
        const what = `rocketchat "${service.name}": chat.postMessage to ${room}`;
        const secrets = [...(service.secrets ?? [])];
        try {
          if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: stopping.signal.reason });
          const options = serviceConfig(service);
          secrets.push(options.password);
          const ignored = ignoredOptions(options);
          const warnKey = JSON.stringify([service.name, options.icon, options.avatar]);
          if (ignored.length && !warned.has(warnKey)) {
            warned.add(warnKey);
            logger.warn({ service: service.name, ignored }, 'rocketchat: icon must be an :emoji: and avatar an http(s) URL; left out of the messages');
          }
          const message = buildMessage(notification, options);
          const call = { dispatcher: agents.get(), what, timeoutMs: options.timeout ?? config.timeout, signal: AbortSignal.any([signal, stopping.signal]) };
          const post = async (session: Session) => {
            secrets.push(session.authToken);
            return callApi(call.dispatcher, postCall(options, session, message), call);
          };
          let { session, fresh } = await sessions.get(options, call);
          let answer = await post(session);
          if (answer.status === 401 && !fresh) {
            // The kept token expired or was logged out: Rocket.Chat posted nothing, so log in and post again.
            sessions.forget(options);
            ({ session, fresh } = await sessions.get(options, call));
            answer = await post(session);
          }
          if (answer.status !== 200 || !/"success"\s*:\s*true/.test(answer.body)) throw answerError(what, answer);
          logger.debug({ service: service.name, room, stateKey: notification.stateKey }, 'rocketchat message posted');
        } catch (err) {
          const masked = maskErrorSecrets(err, secrets);
          if (isDeliveryError(masked)) throw masked;
          throw DeliveryError.transient(maskSecrets(`${what}: ${String(masked)}`, secrets), { cause: masked });
        }
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('rocketchat sink stopped', 'AbortError'));
          sessions.clear();
          await agents.close();
        })();
        return stopped;
      },
    };
  },
});

function postCall(config: RocketchatServiceConfig, session: Session, message: RocketchatMessage) {
  return {
    url: `${config.serverUrl.replace(/\/+$/, '')}/api/v1/chat.postMessage`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', 'x-auth-token': session.authToken, 'x-user-id': session.userId },
    body: JSON.stringify(message),
  };
}
