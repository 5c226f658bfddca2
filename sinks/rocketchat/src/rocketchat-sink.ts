import { coreServices, defineSink, serviceOptionsReader } from '@herald/plugin-sdk';
import { answerError } from './errors.ts';
import { callApi, SinkConnections, deliveryFailure } from '@herald/plugin-http';
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
    const connections = new SinkConnections('rocketchat');
    const serviceConfig = serviceOptionsReader('rocketchat', rocketchatServiceConfigSchema);
    const sessions = new SessionCache();
    // Services whose icon/avatar were warned about: once per service and values, not per message.
    const warned = new Set<string>();

    return {
      async send(notification, { signal, service }) {
        const room = notification.destination.recipient;
        const what = `rocketchat "${service.name}": chat.postMessage to ${room}`;
        const secrets = [...(service.secrets ?? [])];
        try {
          const bound = connections.signal(signal, what);
          const options = serviceConfig(service);
          secrets.push(options.password);
          const ignored = ignoredOptions(options);
          const warnKey = JSON.stringify([service.name, options.icon, options.avatar]);
          if (ignored.length && !warned.has(warnKey)) {
            warned.add(warnKey);
            logger.warn({ service: service.name, ignored }, 'rocketchat: icon must be an :emoji: and avatar an http(s) URL; left out of the messages');
          }
          const message = buildMessage(notification, options);
          // A login masks the password, never an auth token: a new session's token is what its answer brings.
          const call = { dispatcher: connections.agents.get(), what, timeoutMs: options.timeout ?? config.timeout, signal: bound, secrets: [...secrets] };
          const post = async (session: Session) => {
            secrets.push(session.authToken);
            return callApi(call.dispatcher, postCall(options, session, message), { ...call, secrets });
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
          throw deliveryFailure(err, what, secrets);
        }
      },

      stop() {
        sessions.clear();
        return connections.stop();
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
