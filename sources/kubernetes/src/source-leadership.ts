import { backoffDelay, sleepUnlessAborted, type BackoffPolicy, type Logger } from '@herald/plugin-sdk';
import { KubeApiError, LeaderElector, type KubeClient, type LeaderTerm } from '@herald/core-kube';
import { KubeSourceError, KubeSourceErrorCodes } from './errors.ts';
import type { LeaderElectionConfig } from './kubernetes-source.config.ts';
import type { PublishGate } from './publish-gate.ts';

/** The informers of a term (a WatchSet). */
export interface Watches {
  readonly descriptions: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SourceLeadershipOptions {
  client: KubeClient;
  config: LeaderElectionConfig;
  /** Where the Lease is, resolved from the option, $POD_NAMESPACE or the kubeconfig. */
  namespace: string;
  gate: PublishGate;
  /** A new set of informers, for a term that starts from scratch. */
  watches: () => Watches;
  backoff: BackoffPolicy;
  logger: Logger;
}

/**
 * Runs the source's informers only while this process holds the Lease, and publishes only then.
 *
 * A new term starts new informers, whose first list publishes every object as ADDED (with a checkpoint, only what
 * changed since the term before saved it: checkpoint.ts): whatever changed while nobody published is seen that way. When the term ends the gate closes at once (no publish starts
 * afterwards) and the informers wait where they are; when this process gets the Lease back and nobody else
 * held it meanwhile, they go on from there (the watch replays the gap, as after any lost connection).
 * Once another process is seen holding it, they are stopped: what they know is stale.
 */
export class SourceLeadership {
  readonly #options: SourceLeadershipOptions;
  readonly #elector: LeaderElector;
  readonly #log: Logger;
  #watches: Watches | undefined;
  #queue: Promise<void> = Promise.resolve();
  /** The first term's start, when start() won the lease: its failure is start()'s. */
  #first: Promise<void> | undefined;
  #started = false;
  #stopped = false;
  #stopping: Promise<void> | undefined;

  constructor(options: SourceLeadershipOptions) {
    this.#options = options;
    const { client, config, namespace, gate } = options;
    this.#log = options.logger.child({ lease: `${namespace}/${config.leaseName}` });
    this.#elector = new LeaderElector({
      client,
      namespace,
      name: config.leaseName,
      leaseDuration: config.leaseDuration,
      renewDeadline: config.renewDeadline,
      retryPeriod: config.retryPeriod,
      logger: this.#log,
      onStartedLeading: (signal, term) => {
        // Won by start()'s own attempt: a failure to watch is start()'s failure, not retried.
        const first = !this.#started;
        const run = this.#serial(() => this.#lead(signal, term, first));
        if (first) this.#first = run;
        else run.catch((err: unknown) => this.#log.error({ err }, 'could not start leading'));
      },
      onStoppedLeading: () => {
        gate.close();
        // Stopping: the watches end before the lease is released, so nothing is published after.
        if (this.#stopped) return this.#discard();
        this.#log.warn({}, `lost ${this.#elector.description}: publishing paused until this process holds it again`);
        return undefined;
      },
      onNewLeader: (identity) => {
        if (identity === this.#elector.identity || !this.#watches) return;
        void this.#serial(() => this.#discard(`${identity} holds ${this.#elector.description} now`));
      },
    });
  }

  get identity(): string {
    return this.#elector.identity;
  }

  /** The holder last seen in the Lease. */
  get leader(): string | undefined {
    return this.#elector.leader;
  }

  /**
   * Makes the first attempt to take the Lease; when it won, starts watching (and fails as a source without
   * leader election would). Then goes on in the background.
   */
  async start(): Promise<void> {
    try {
      await this.#elector.start();
    } catch (err) {
      throw leaseFailure(this.#options, this.#elector.description, err);
    }
    this.#started = true;
    await this.#first;
  }

  /** Stops publishing and watching, then releases the Lease so that another process takes over at once. Idempotent. */
  stop(): Promise<void> {
    return (this.#stopping ??= (async () => {
      this.#stopped = true;
      this.#options.gate.close();
      await this.#elector.stop();
      await this.#queue;
      await this.#discard();
    })());
  }

  async #lead(signal: AbortSignal, term: LeaderTerm, failFast: boolean): Promise<void> {
    const { gate } = this.#options;
    if (signal.aborted || this.#stopped) return;
    if (this.#watches && term.previousHolder === this.#elector.identity) {
      gate.open();
      this.#log.info({}, 'holding the lease again, and nobody else held it meanwhile: publishing from where the watches were');
      return;
    }
    await this.#discard();
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted || this.#stopped) return;
      const watches = this.#options.watches();
      this.#watches = watches;
      gate.open();
      try {
        await watches.start();
        this.#log.info({ watching: watches.descriptions, previousHolder: term.previousHolder || undefined }, `leading: watching ${watches.descriptions.length} collection(s)`);
        return;
      } catch (err) {
        if (this.#watches === watches) this.#watches = undefined;
        if (failFast) throw err;
        const retryInMs = backoffDelay(attempt, this.#options.backoff);
        if (!signal.aborted) this.#log.error({ err, retryInMs }, `leading, but cannot watch: retrying in ${retryInMs} ms`);
        await sleepUnlessAborted(retryInMs, signal);
      }
    }
  }

  async #discard(reason?: string): Promise<void> {
    const watches = this.#watches;
    this.#watches = undefined;
    if (!watches) return;
    await watches.stop();
    if (reason) this.#log.info({}, `${reason}: stopped watching`);
  }

  /** Runs the changes of leadership one after the other. */
  #serial(step: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(step);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function leaseFailure({ client, namespace }: SourceLeadershipOptions, lease: string, cause: unknown): KubeSourceError {
  const what = `leaderElection: cannot use ${lease}`;
  if (cause instanceof KubeApiError && cause.status === 403) {
    return new KubeSourceError(
      KubeSourceErrorCodes.forbidden,
      `${what}: ${cause.message} (Herald needs get, create and update on leases in namespace "${namespace}"; or set leaderElection.enabled to false)`,
      { cause },
    );
  }
  if (cause instanceof KubeApiError && cause.status === 401) {
    return new KubeSourceError(KubeSourceErrorCodes.kubeconfig, `${what}: the API server at ${client.server} refused the kubeconfig's credentials (401 ${cause.message})`, { cause });
  }
  const reason = cause instanceof KubeApiError ? `${cause.status} ${cause.message}` : String((cause as Error)?.message ?? cause);
  return new KubeSourceError(KubeSourceErrorCodes.leaseRefused, `${what}: the API server at ${client.server} refused it: ${reason}`, { cause });
}
