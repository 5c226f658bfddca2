import { coreServices, defineSink, DeliveryError, maskSecrets, type ServiceInstance } from '@herald/plugin-sdk';
import { Agent } from 'undici';
import { buildAlert, type PostableAlert } from './alertmanager-alert.ts';
import { alertmanagerPluginConfigSchema, alertmanagerServiceConfigSchema, alertmanagerTemplateSchema, type AlertmanagerServiceConfig } from './alertmanager.config.ts';
import { abortedError, noTargetAccepted, statusFailure, type TargetFailure } from './errors.ts';

/** Characters of a refusing target's answer kept in the error. */
const EXCERPT_CHARS = 300;

/**
 * Argo's alertmanager service: the rendered alert posted to every target at once, one attempt per `send`.
 * The send succeeds when at least one target accepted it (as in Argo: an Alertmanager cluster shares
 * notifications, so one member holding the alert is enough); the targets that failed are logged. A retry
 * posts to every target again, which is harmless: Alertmanager merges an alert with the one of the same
 * labels it holds. Alertmanager documents no rate limit, so the sink declares none.
 */
export default defineSink({
  id: 'alertmanager',
  description: "Posts notifications as alerts to Prometheus Alertmanager, like Argo's alertmanager service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['alertmanager'],
  configSchema: alertmanagerPluginConfigSchema,
  serviceConfigSchema: alertmanagerServiceConfigSchema,
  templateSchema: alertmanagerTemplateSchema,
  deps: { logger: coreServices.logger, clock: coreServices.clock },
  async init({ logger, clock }) {
    const agents = new Map<string, Agent>();
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;

    const agentFor = (service: string, options: AlertmanagerServiceConfig): Agent => {
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
        const what = `alertmanager "${service.name}"`;
        if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: stopping.signal.reason });
        const options = parseOptions(service);
        const secrets = secretsOf(options, service);
        const body = JSON.stringify([buildAlert(notification, clock.now())] satisfies PostableAlert[]);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (options.basicAuth) headers.authorization = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;
        else if (options.bearerToken) headers.authorization = `Bearer ${options.bearerToken}`;
        const bound = AbortSignal.any([signal, stopping.signal]);
        const agent = agentFor(service.name, options);

        const post = async (target: string): Promise<TargetFailure | undefined> => {
          const url = `${options.scheme}://${target}${options.apiPath}`;
          const timeout = AbortSignal.timeout(options.timeout * 1_000);
          try {
            const response = await agent.request({ origin: `${options.scheme}://${target}`, path: options.apiPath, method: 'POST', headers, body, signal: AbortSignal.any([bound, timeout]) });
            if (response.statusCode >= 200 && response.statusCode <= 299) {
              await response.body.dump().catch(() => undefined);
              return undefined;
            }
            const text = maskSecrets((await response.body.text().catch(() => '')).replace(/\s+/g, ' ').trim(), secrets);
            return statusFailure(url, response.statusCode, text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text, response.headers['retry-after']);
          } catch (err) {
            if (bound.aborted) throw abortedError(`${what}: POST ${url}`, bound.reason);
            if (timeout.aborted) return { target: url, problem: `${url} timed out: no answer within ${options.timeout} s`, retryable: true };
            const message = maskSecrets(err instanceof Error ? err.message : String(err), secrets);
            return { target: url, problem: `${url} failed: ${message}`, retryable: !/Invalid URL|invalid origin/i.test(message) };
          }
        };

        const failures = (await Promise.all(options.targets.map(post))).filter((f): f is TargetFailure => f !== undefined);
        const log = { service: service.name, stateKey: notification.stateKey };
        if (failures.length === options.targets.length) throw noTargetAccepted(what, failures);
        for (const failure of failures) logger.warn({ ...log, target: failure.target, problem: failure.problem }, 'alertmanager target did not take the alert');
        logger.debug({ ...log, accepted: options.targets.length - failures.length }, 'alertmanager alert posted');
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('alertmanager sink stopped', 'AbortError'));
          const all = [...agents.values()];
          agents.clear();
          await Promise.all(all.map((a) => a.destroy(new Error('alertmanager sink stopped')).catch(() => undefined)));
        })();
        return stopped;
      },
    };
  },
});

/** The service's options, parsed again when they did not come through Herald's config loading. */
function parseOptions(service: ServiceInstance<unknown>): AlertmanagerServiceConfig {
  const result = alertmanagerServiceConfigSchema.safeParse(service.config);
  if (result.success) return result.data;
  // The issues name keys only, never values: tokens are among them.
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : 'invalid'}`);
  throw DeliveryError.permanent(`alertmanager "${service.name}": invalid service options: ${issues.join('; ')}`);
}

function secretsOf(options: AlertmanagerServiceConfig, service: ServiceInstance<unknown>): string[] {
  const out = [...(service.secrets ?? [])];
  if (options.bearerToken) out.push(options.bearerToken);
  if (options.basicAuth) out.push(options.basicAuth.password, Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64'));
  return out;
}
