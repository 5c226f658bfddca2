import { coreServices, DeliveryError, defineSink, maskSecrets, serviceOptionsReader } from '@herald/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { AgentPool } from './agent-pool.ts';

import { attempt } from './http-attempt.ts';
import { buildRequest } from './webhook-request.ts';
import { webhookPluginConfigSchema, webhookServiceConfigSchema, webhookTemplateSchema } from './webhook.config.ts';

const USER_AGENT = `herald/${pkg.version}`;

/**
 * Argo's webhook service: one HTTP request per `send`, built from the service's options and the template's
 * `webhook.<service>` block. Argo's `retryMax`, `retryWaitMin` and `retryWaitMax` become the service's retry
 * policy, which Herald's delivery runtime carries out. No rate limit is declared: a webhook can be anything.
 */
export default defineSink({
  id: 'webhook',
  description: "Sends notifications as HTTP requests, like Argo's webhook service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['webhook'],
  configSchema: webhookPluginConfigSchema,
  serviceConfigSchema: webhookServiceConfigSchema,
  templateSchema: webhookTemplateSchema,
  retryPolicy: (service) => ({ maxAttempts: service.retryMax + 1, backoffMinMs: service.retryWaitMin, backoffMaxMs: service.retryWaitMax }),
  deps: { logger: coreServices.logger, tracer: coreServices.tracer },
  async init({ config, logger, tracer }) {
    const pool = new AgentPool();
    // Aborted by stop(): later sends fail at once; requests in flight get the drain time.
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const serviceConfig = serviceOptionsReader('webhook', webhookServiceConfigSchema);

    return {
      // One request: Herald's delivery runtime retries (per the service's retryPolicy below), so the rate
      // limit, the in-flight cap, the breaker and the deadline see every request.
      async send(notification, { signal, service, attempt: delivery }) {
        if (stopping.signal.aborted) throw DeliveryError.transient(`webhook "${service.name}": the sink is stopped`, { cause: stopping.signal.reason });
        const options = serviceConfig(service);
        const request = buildRequest(notification, service.name, options, USER_AGENT, service.secrets);
        const outcome = await pool.use(service.name, options, (dispatcher) =>
          attempt(request, { dispatcher, tracer, timeoutMs: options.timeout ?? config.timeout, signal, excerptChars: config.responseBodyExcerpt, resend: delivery - 1 }),
        );
        const log = { service: service.name, method: request.method, url: request.display, stateKey: notification.stateKey, attempt: delivery, status: outcome.status };
        if (outcome.ok) {
          logger.debug(log, 'webhook delivered');
          return;
        }
        logger.debug({ ...log, retryable: outcome.retryable }, 'webhook request failed');
        throw new DeliveryError(maskSecrets(outcome.problem, request.secrets), {
          retryable: outcome.retryable,
          ...(outcome.cause === undefined ? {} : { cause: outcome.cause }),
          ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
        });
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('webhook sink stopped', 'AbortError'));
          await pool.close(config.drainTimeout);
        })();
        return stopped;
      },
    };
  },
});
