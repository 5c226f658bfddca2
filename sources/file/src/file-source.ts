import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { coreServices, defineSource } from '@herald/plugin-sdk';
import { FileSourceError, FileSourceErrorCodes } from './errors.ts';
import { configSchema } from './file-source.config.ts';
import { FolderReader } from './folder-reader.ts';
import { FolderSync } from './folder-sync.ts';
import { FolderWatch } from './folder-watch.ts';
import { ObjectIdentity } from './object-identity.ts';

/** Wait before reading the folder again to confirm that objects are gone (they must be missing twice). */
const CONFIRM_MS = 500;
/** Wait after a resync request before the resync (the Kubernetes source's reasons: watch-set.ts). */
const RESYNC_SETTLE_MS = 2_000;

/**
 * Watches a folder of YAML and JSON files holding Kubernetes-shaped objects and publishes their changes
 * as the Kubernetes source publishes a cluster's: ADDED / MODIFIED / DELETED resource events. For runs
 * without a cluster: docker compose on a laptop, demos.
 */
export default defineSource({
  id: 'file',
  description: 'Watches a folder of Kubernetes-shaped YAML/JSON files and publishes their changes',
  sdkVersion: '^1.1.0',
  configSchema,
  deps: { publisher: coreServices.publisher, logger: coreServices.logger, clock: coreServices.clock, tracer: coreServices.tracer, requests: coreServices.resyncRequests },
  async init({ config, publisher, logger, clock, tracer, requests }) {
    // The plugin is not told where herald.yaml is: a relative path is the working directory's, as `notifications.files` are.
    const root = resolve(config.path);
    const identity = new ObjectIdentity(config);
    const reader = new FolderReader(root, (object) => identity.of(object), logger, config.path);
    const runId = randomUUID().slice(0, 8);
    const sync = new FolderSync({ reader, publisher, log: logger, observe: tracer, runId });
    const stopping = new AbortController();
    const folder = new FolderWatch(root, { clock, log: logger, signal: stopping.signal });
    let loop: Promise<void> | undefined;
    let stopped: Promise<void> | undefined;
    let watchingRequests: { stop(): void } | undefined;
    /** When a resync Herald asked for (the notification config changed) is due. */
    let askedAt: number | undefined;
    logger.info({ path: root, rescan: config.rescan, ...(config.resyncPeriod === undefined ? {} : { resyncPeriod: config.resyncPeriod }) }, 'file source configured');

    async function run(): Promise<void> {
      let first = true;
      const period = config.resyncPeriod;
      let resyncAt = period === undefined ? Infinity : clock.now().getTime() + period;
      let resyncs = 0;
      /** The resync under way: kept until a sync completes it (one the bus failed is resumed, not started again). */
      let resync: string | undefined;
      while (!stopping.signal.aborted) {
        if (resync === undefined && clock.now().getTime() >= Math.min(resyncAt, askedAt ?? Infinity)) {
          resync = `${runId}.${++resyncs}`;
          askedAt = undefined;
        }
        const result = await sync.sync(resync).catch((err: unknown) => {
          logger.error({ err }, 'reading the folder failed unexpectedly; trying again at the next rescan');
          return undefined;
        });
        if (first && result?.complete) {
          first = false;
          logger.info({ files: result.files, objects: result.objects }, `published the ${result.objects} object(s) of ${result.files} file(s) in ${root}`);
        }
        if (resync !== undefined && result?.complete) {
          logger.debug({ resync, objects: result.objects }, `resynced the ${result.objects} object(s) in ${root}`);
          resync = undefined;
          resyncAt = period === undefined ? Infinity : clock.now().getTime() + period;
        }
        if (stopping.signal.aborted) return;
        const rescan = result?.complete && result.pendingDeletions > 0 ? Math.min(config.rescan, CONFIRM_MS) : config.rescan;
        // A resync the bus broke off is resumed at the next rescan, as any change is; the next one starts on time.
        const untilResync = resync === undefined ? Math.min(resyncAt, askedAt ?? Infinity) - clock.now().getTime() : Infinity;
        await folder.wait(Math.max(0, Math.min(rescan, untilResync)));
      }
    }

    return {
      async start() {
        const info = await stat(root).catch((err: NodeJS.ErrnoException) => {
          throw new FileSourceError(FileSourceErrorCodes.folder, `path: ${root} ${err.code === 'ENOENT' ? 'does not exist' : `cannot be read (${err.message})`}; create the folder or fix the path`, { cause: err });
        });
        if (!info.isDirectory()) throw new FileSourceError(FileSourceErrorCodes.folder, `path: ${root} is a file, not a folder of manifests`);
        folder.open();
        // Each start publishes every object: requests made before it are served by it.
        const latest = await requests.latest().catch((err: unknown) => {
          logger.warn({ err }, 'cannot read the resync requests: watching them from the next one');
          return undefined;
        });
        watchingRequests = requests.watch(latest?.revision, (request) => {
          if (!request.resync) return;
          logger.info({ revision: request.revision, reason: request.reason }, `resync asked for (${request.reason}): publishing every object again`);
          askedAt = clock.now().getTime() + RESYNC_SETTLE_MS;
          folder.poke();
        });
        loop = run();
      },
      stop() {
        return (stopped ??= (async () => {
          stopping.abort(new Error('file source stopped'));
          watchingRequests?.stop();
          folder.close();
          await loop;
        })());
      },
    };
  },
});
