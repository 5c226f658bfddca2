import { hostname } from 'node:os';
import { coreServices, defineSource } from '@herald/plugin-sdk';
import { createKubeClient, loadKubeConfig } from '@herald/core-kube';
import { SourceCheckpoint } from './checkpoint.ts';
import { configSchema } from './kubernetes-source.config.ts';
import { ObjectChanges } from './object-changes.ts';
import { PublishGate } from './publish-gate.ts';
import { checkListable, resolveResources } from './resolve-resources.ts';
import { SourceLeadership } from './source-leadership.ts';
import { observeLeadership, sourceMetrics } from './source-metrics.ts';
import { WatchSet } from './watch-set.ts';

/**
 * Watches the configured Kubernetes resources and publishes ADDED / MODIFIED / DELETED resource events:
 * one informer per resource and namespace, events of each published in order. With leader election (the
 * default) only the process that holds the Lease watches and publishes; the others stand by.
 */
export default defineSource({
  id: 'kubernetes',
  description: 'Watches Kubernetes resources and publishes their changes',
  sdkVersion: '^1.1.0',
  configSchema,
  deps: { publisher: coreServices.publisher, logger: coreServices.logger, meter: coreServices.meter, tracer: coreServices.tracer, store: coreServices.store, requests: coreServices.resyncRequests },
  async init({ config, publisher, logger, meter, tracer, store, requests }) {
    const { kc, origin, namespace } = loadKubeConfig({ ...(config.kubeconfig ? { path: config.kubeconfig } : {}), ...(config.context ? { context: config.context } : {}) });
    const client = createKubeClient(kc, { userAgent: 'herald-source-kubernetes' });
    const metrics = sourceMetrics(meter);
    const gate = new PublishGate();
    observeLeadership(meter, () => gate.isOpen);
    const election = config.leaderElection;
    const leaseNamespace = election.namespace ?? namespace;
    const stopping = new AbortController();
    let running: { stop(): Promise<void> } | undefined;
    /** The informers of this term (or of the last one, paused while another process leads). */
    let current: WatchSet | undefined;
    let stopped: Promise<void> | undefined;
    logger.info(
      { kubeconfig: origin, context: kc.getCurrentContext(), server: client.server, ...(election.enabled ? { lease: `${leaseNamespace}/${election.leaseName}` } : {}) },
      'kubernetes source configured',
    );

    return {
      async start() {
        const targets = await resolveResources(client, config, stopping.signal);
        stopping.signal.throwIfAborted();
        const holder = `${hostname()}_${process.pid}`;
        const checkpoint = config.checkpoint ? () => new SourceCheckpoint(store, holder, new ObjectChanges(config.ignoredAnnotations), logger) : undefined;
        const watches = () => (current = new WatchSet(targets, { client, config, publisher, logger, metrics, gate, tracer, requests, ...(checkpoint ? { checkpoint } : {}) }));
        if (!election.enabled) {
          const set = watches();
          running = set;
          gate.open();
          await set.start();
          logger.info({ watching: set.descriptions }, `watching ${set.descriptions.length} collection(s)`);
          return;
        }
        // A process standing by must fail now on what would fail it once it leads.
        await checkListable(client, targets, stopping.signal);
        stopping.signal.throwIfAborted();
        const leadership = new SourceLeadership({
          client,
          config: election,
          namespace: leaseNamespace,
          gate,
          watches,
          backoff: { baseMs: config.backoff.initial, maxMs: config.backoff.max },
          logger,
        });
        running = leadership;
        try {
          await leadership.start();
        } catch (err) {
          await leadership.stop();
          throw err;
        }
        if (!gate.isOpen) logger.info({ identity: leadership.identity, leader: leadership.leader }, `standing by: ${leadership.leader ?? 'another process'} publishes`);
      },
      /** Ready when synced (every watched collection listed and published once) and leading, or standing by. */
      ready() {
        if (!gate.isOpen) return true;
        const unsynced = current?.unsynced ?? ['every collection'];
        return unsynced.length === 0 ? true : `leading, first list not published yet: ${unsynced.join(', ')}`;
      },
      stop() {
        return (stopped ??= (async () => {
          stopping.abort(new Error('kubernetes source stopped'));
          gate.close();
          await running?.stop();
        })());
      },
    };
  },
});
