import type { z } from 'zod';
import type { Bus } from '@herald/core-bus';
import { Dedup, startStateRole } from '@herald/core-dedup';
import { configCompilers, startEvaluatorWorker } from '@herald/core-evaluator';
import { createKubeClient, loadKubeConfig, type KubeClient } from '@herald/core-kube';
import { FileConfigSource, KubeConfigSource, NotificationConfigService, type NotificationConfigProvider } from '@herald/core-notification-config';
import type { Telemetry } from '@herald/core-telemetry';
import { HeraldError, isHeraldError, type Logger } from '@herald/plugin-sdk';
import type { EngineConfig, Role } from './config/engine-config.schema.ts';
import { KernelErrorCodes } from './errors.ts';

export interface CoreRoles {
  /** The notification config, for the evaluator and the sinks; absent when neither runs here. */
  notifications: NotificationConfigProvider | undefined;
  stop(): Promise<void>;
}

export interface CoreRolesOptions {
  config: EngineConfig;
  roles: readonly Role[];
  bus: Bus;
  telemetry: Telemetry;
  logger: Logger;
  /** Options schema of each service type a loaded sink delivers. */
  serviceSchemas: ReadonlyMap<string, z.ZodType>;
  /** Schema of each service type's block in `template.<name>` entries, as its sink declares it (`templateSchema`). */
  templateSchemas: ReadonlyMap<string, z.ZodType>;
}

/**
 * Starts what the core does itself: watching the notification config (evaluator and sink roles), the
 * state role (settling claims, mirroring the `notified` annotation) and the evaluator (evaluator role). Stops them in reverse order.
 */
export async function startCoreRoles(options: CoreRolesOptions): Promise<CoreRoles> {
  const { config, roles, bus, telemetry } = options;
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((err: unknown) => options.logger.error({ err }, 'core role did not stop cleanly'));
  };
  const meter = telemetry.meter('herald.core');
  const tracer = telemetry.tracer('herald.core');
  let kube: { client: KubeClient; namespace: string } | undefined;
  const kubernetes = () => (kube ??= connectKube(config));

  try {
    let notifications: NotificationConfigProvider | undefined;
    if (roles.includes('evaluator') || roles.includes('sink')) {
      const logger = options.logger.child({ component: 'notification-config' });
      const reloads = meter.createCounter('herald.notification_config.reloads', { description: 'New versions of notification config parts by outcome (loaded, rejected)' });
      const { files } = config.notifications;
      const namespace = files ? undefined : (config.notifications.namespace ?? kubernetes().namespace);
      const evaluates = roles.includes('evaluator');
      const service = new NotificationConfigService({
        origin: files ? `file ${files.configMap}` : `configmap ${namespace}/${config.notifications.configMap}`,
        logger,
        serviceSchemas: options.serviceSchemas,
        ...(options.templateSchemas ? { templateSchemas: options.templateSchemas } : {}),
        // Only the evaluator needs triggers and templates: it compiles them all at each reload, so their
        // errors are reported at load time. A sink-only process is given no compilers and reads services only.
        ...(evaluates ? { compilers: configCompilers(), eager: true } : {}),
        reloads,
        // Whoever watches the bus hears about a refused part too, not only whoever reads the logs.
        rejected: (report) => bus.announce('config-rejected', 'io.herald.config-rejected.v1', 'herald/core/notification-config', report),
      });
      const source = files
        ? new FileConfigSource({ configMap: files.configMap, ...(files.secret ? { secret: files.secret } : {}), logger, service })
        : new KubeConfigSource({ client: kubernetes().client, namespace: namespace!, configMap: config.notifications.configMap, secret: config.notifications.secret, logger, service });
      await source.start().catch((err: unknown) => {
        // Not being able to read its config stops Herald from booting: say so as a boot failure.
        throw isHeraldError(err) ? new HeraldError(KernelErrorCodes.boot, err.message, { cause: err, retryable: err.retryable }) : err;
      });
      stops.push(() => source.stop());
      notifications = service;
    }
    if (roles.includes('state')) {
      const logger = options.logger.child({ component: 'state' });
      const service = await startStateRole({
        subscriber: bus.subscriber(tracer, logger),
        kv: bus.state,
        logger,
        stateChanges: (durable, handler) => bus.stateChanges(durable, logger, handler),
        kube: config.state.mirrorAnnotations && !config.notifications.files ? kubernetes().client : undefined,
        annotationPrefix: config.notifications.annotationPrefix,
        coalesceMs: config.state.coalesce,
      });
      stops.push(() => service.stop());
    }
    if (roles.includes('evaluator')) {
      const logger = options.logger.child({ component: 'evaluator' });
      const provider = notifications!;
      const start = () =>
        startEvaluatorWorker({
          subscriber: bus.subscriber(tracer, logger),
          publisher: bus.publisher('herald/evaluator', tracer),
          dedup: new Dedup({ kv: bus.state, annotationPrefix: config.notifications.annotationPrefix }),
          logger,
          config: () => provider.current(),
          annotationPrefix: config.notifications.annotationPrefix,
          variables: config.notifications.variables,
        });
      // Events wait on the bus until there is a config to evaluate them with, rather than using up their
      // delivery attempts (a ConfigMap applied after Herald starts is normal).
      let worker: ReturnType<typeof start> | undefined;
      let unsubscribe: (() => void) | undefined;
      if (provider.current()) worker = start();
      else {
        logger.warn({ origin: provider.origin }, 'no notification config yet: events wait on the bus until one loads');
        unsubscribe = provider.onChange(() => {
          worker ??= start();
          worker.catch((err: unknown) => logger.error({ err }, 'the evaluator could not start'));
        });
      }
      await worker;
      stops.push(async () => {
        unsubscribe?.();
        await (await worker?.catch(() => undefined))?.stop();
      });
    }
    return { notifications, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function connectKube(config: EngineConfig): { client: KubeClient; namespace: string } {
  const { kc, namespace } = loadKubeConfig({ ...(config.kubernetes.kubeconfig ? { path: config.kubernetes.kubeconfig } : {}), ...(config.kubernetes.context ? { context: config.kubernetes.context } : {}) });
  return { client: createKubeClient(kc, { userAgent: 'herald' }), namespace };
}
