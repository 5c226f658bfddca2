import { coreServices, DeliveryError, defineSink, type ServiceInstance } from '@herald/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { AgentPool } from './agent-pool.ts';
import { abortedError, permanentError, transientError } from './errors.ts';
import { attempt } from './http-attempt.ts';
import { scrub } from './redact.ts';
import { backoffMs, sleep } from './retry.ts';
import { buildRequest } from './webhook-request.ts';
import { webhookPluginConfigSchema, webhookServiceConfigSchema, type WebhookServiceConfig } from './webhook.config.ts';

const USER_AGENT = `herald/${pkg.version}`;

/**
 * Argo's webhook service: one HTTP request per notification, built from the service's options and the
 * template's `webhook.<service>` block, retried in the call for transient failures as Argo does.
 */
export default defineSink({
  id: 'webhook',
  description: "Sends notifications as HTTP requests, like Argo's webhook service",
  sdkVersion: '^0.1.0',
  serviceTypes: ['webhook'],
  configSchema: webhookPluginConfigSchema,
  serviceConfigSchema: webhookServiceConfigSchema,
  deps: { logger: coreServices.logger, tracer: coreServices.tracer },
  async init({ config, logger, tracer }) {
    const pool = new AgentPool();
    // Aborted by stop(): waits between retries end at once; requests in flight get the drain time.
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const parsed = new WeakMap<object, WebhookServiceConfig>();

    // Herald parses service options when the notification config loads; parsing again here (once per
    // options object) keeps the sink safe from options that did not come through that path.
    const serviceConfig = (service: ServiceInstance<unknown>): WebhookServiceConfig => {
      const raw = service.config;
      const known = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
      if (known) return known;
      const result = webhookServiceConfigSchema.safeParse(raw);
      if (!result.success) {
        const key = service.name === service.type ? `service.${service.type}` : `service.${service.type}.${service.name}`;
        const issues = result.error.issues.flatMap((issue) =>
          issue.code === 'unrecognized_keys'
            ? issue.keys.map((k) => `${[key, ...issue.path, k].join('.')}: unknown key`)
            : [`${[key, ...issue.path].join('.')}: ${issue.message}`],
        );
        throw permanentError(`webhook "${service.name}": invalid service options: ${issues.join('; ')}`);
      }
      if (typeof raw === 'object' && raw !== null) parsed.set(raw, result.data);
      return result.data;
    };

    return {
      async send(notification, { signal, service, attempt: delivery }) {
        if (stopping.signal.aborted) throw transientError(`webhook "${service.name}": the sink is stopped`, { cause: stopping.signal.reason });
        const options = serviceConfig(service);
        const request = buildRequest(notification, service.name, options, USER_AGENT);
        const waits = AbortSignal.any([signal, stopping.signal]);
        const attempts = options.retryMax + 1;
        const log = { service: service.name, method: request.method, url: request.display, stateKey: notification.stateKey, delivery };

        for (let n = 1; ; n++) {
          const outcome = await pool.use(service.name, options, (dispatcher) =>
            attempt(request, { dispatcher, tracer, timeoutMs: options.timeout ?? config.timeout, signal, excerptChars: config.responseBodyExcerpt, resend: n - 1 }),
          );
          if (outcome.ok) {
            logger.debug({ ...log, status: outcome.status, attempts: n }, 'webhook delivered');
            return;
          }
          const fail = (note = '') =>
            new DeliveryError(scrub(`${outcome.problem}${n > 1 ? ` (${n} attempts)` : ''}${note}`, request.secrets), {
              retryable: outcome.retryable,
              ...(outcome.cause === undefined ? {} : { cause: outcome.cause }),
              ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
            });
          if (!outcome.retryable || n >= attempts) throw fail();
          if (stopping.signal.aborted) throw abortedError(request.label, stopping.signal.reason);
          // A server asking for more than retryWaitMax gets it from the bus's redelivery, not a blocked call.
          if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > options.retryWaitMax) {
            throw fail(`; Retry-After ${outcome.retryAfterMs} ms is longer than retryWaitMax, left to redelivery`);
          }
          const wait = outcome.retryAfterMs ?? backoffMs(n - 1, options.retryWaitMin, options.retryWaitMax);
          logger.warn({ ...log, status: outcome.status, attempt: n, of: attempts, retryInMs: wait }, 'webhook request failed; retrying');
          try {
            await sleep(wait, waits);
          } catch (reason) {
            throw abortedError(`${scrub(outcome.problem, request.secrets)}; retry`, reason);
          }
        }
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
