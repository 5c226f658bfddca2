import { coreServices, defineSink, maskSecrets, type ServiceInstance, DeliveryError, serviceOptionsReader } from '@herald/plugin-sdk';
import { boundedText, excerpt, SinkConnections } from '@herald/plugin-http';
import { buildAlert, type PostableAlert } from './alertmanager-alert.ts';
import { alertmanagerPluginConfigSchema, alertmanagerServiceConfigSchema, alertmanagerTemplateSchema, type AlertmanagerServiceConfig } from './alertmanager.config.ts';
import { noTargetAccepted, statusFailure, type TargetFailure } from './errors.ts';

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
    const connections = new SinkConnections('alertmanager');
    const parseOptions = serviceOptionsReader('alertmanager', alertmanagerServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const what = `alertmanager "${service.name}"`;
        const bound = connections.signal(signal, what);
        const options = parseOptions(service);
        const secrets = secretsOf(options, service);
        const body = JSON.stringify([buildAlert(notification, clock.now())] satisfies PostableAlert[]);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (options.basicAuth) headers.authorization = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;
        else if (options.bearerToken) headers.authorization = `Bearer ${options.bearerToken}`;
        const agent = connections.agents.get(options, service.name);

        const post = async (target: string): Promise<TargetFailure | undefined> => {
          const url = `${options.scheme}://${target}${options.apiPath}`;
          const timeout = AbortSignal.timeout(options.timeout * 1_000);
          try {
            const response = await agent.request({ origin: `${options.scheme}://${target}`, path: options.apiPath, method: 'POST', headers, body, signal: AbortSignal.any([bound, timeout]) });
            if (response.statusCode >= 200 && response.statusCode <= 299) {
              await response.body.dump().catch(() => undefined);
              return undefined;
            }
            const text = excerpt(maskSecrets(await boundedText(response.body).catch(() => ''), secrets), EXCERPT_CHARS);
            return statusFailure(url, response.statusCode, text, response.headers['retry-after']);
          } catch (err) {
            if (bound.aborted) throw DeliveryError.aborted(`${what}: POST ${url}`, bound.reason);
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

      stop: () => connections.stop(),
    };
  },
});

function secretsOf(options: AlertmanagerServiceConfig, service: ServiceInstance<unknown>): string[] {
  const out = [...(service.secrets ?? [])];
  if (options.bearerToken) out.push(options.bearerToken);
  if (options.basicAuth) out.push(options.basicAuth.password, Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64'));
  return out;
}
