import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { KubeApiError } from '../informer/kube-api-error.ts';
import type { KubeClient } from '../informer/kube-client.ts';
import { claimed, leasePath, released, type Lease } from './lease.ts';
import { sleep, withDeadline } from './signals.ts';

/** pino-style logger; any logger with these call shapes will do. */
export interface LeaderElectorLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** What a new term of leadership starts from. */
export interface LeaderTerm {
  /**
   * The lease's holder just before this elector took it: its own identity when nobody else held the lease
   * since this elector last did (it had only failed to renew in time), `''` when the lease was new or released.
   */
  previousHolder: string;
}

export interface LeaderElectorOptions {
  client: KubeClient;
  /** Namespace and name of the coordination.k8s.io/v1 Lease; created when absent. */
  namespace: string;
  name: string;
  /** Unique per candidate. Default: `<hostname>_<pid>_<random>`. */
  identity?: string;
  /**
   * Milliseconds candidates wait, after they last saw the lease change, before they take it over from a
   * holder that stopped renewing. Stored in the lease in whole seconds (rounded up). Default 15 s.
   */
  leaseDuration?: number;
  /** Milliseconds the leader keeps trying to renew before it stops leading; less than leaseDuration. Default 10 s. */
  renewDeadline?: number;
  /** Milliseconds between attempts to acquire or renew. Default 2 s. */
  retryPeriod?: number;
  /**
   * Called on becoming the leader. `signal` aborts the moment this term ends: when renewing failed for
   * renewDeadline (before any other candidate may take the lease), when another holder is seen, or on stop.
   */
  onStartedLeading(signal: AbortSignal, term: LeaderTerm): void;
  /** Called when a term ends, right after its signal aborted. On stop, the lease is released once it settles. */
  onStoppedLeading?(): void | Promise<void>;
  /** Called when the holder seen in the lease changes, this elector included. */
  onNewLeader?(identity: string): void;
  logger?: LeaderElectorLogger;
  /** For tests: [0, 1), for the jitter of acquire attempts. */
  random?: () => number;
}

type Attempt = { holding: true; previousHolder: string } | { holding: false; holder: string };

const noop = () => undefined;
const silent: LeaderElectorLogger = { debug: noop, info: noop, warn: noop };
// Acquire attempts are spread over up to this share of retryPeriod, so that candidates do not move in step.
const jitter = 0.2;
// A release that takes longer is given up: the others then wait for the lease to expire.
const releaseTimeout = 5_000;

/**
 * Leader election on a Kubernetes Lease, with client-go's semantics: the holder renews every retryPeriod
 * and stops leading when it could not renew for renewDeadline, which is shorter than leaseDuration, so it
 * has stopped before any other candidate may take the lease (candidates count leaseDuration from when they
 * last saw the lease change, on their own clock). Every write carries the resourceVersion it was based on:
 * when two candidates race, the API server lets one win (409 Conflict for the other). On stop the lease is
 * released (no holder, leaseDurationSeconds 1) so that another candidate takes over at once.
 */
export class LeaderElector {
  readonly identity: string;
  readonly #options: LeaderElectorOptions;
  readonly #log: LeaderElectorLogger;
  readonly #random: () => number;
  readonly #leaseDuration: number;
  readonly #renewDeadline: number;
  readonly #retryPeriod: number;
  readonly #path: string;
  readonly #stop = new AbortController();
  /** The lease as last read or written. */
  #lease: Lease | undefined;
  /** When this elector first saw the lease's current resourceVersion, by its own clock. */
  #observedAt = 0;
  /** When the last write that made or kept this elector the holder was sent. */
  #renewedAt = 0;
  #term: AbortController | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #reported: string | undefined;
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#options = options;
    this.identity = options.identity ?? `${hostname()}_${process.pid}_${randomBytes(4).toString('hex')}`;
    this.#log = options.logger ?? silent;
    this.#random = options.random ?? Math.random;
    this.#leaseDuration = options.leaseDuration ?? 15_000;
    this.#renewDeadline = options.renewDeadline ?? 10_000;
    this.#retryPeriod = options.retryPeriod ?? 2_000;
    if (!(this.#retryPeriod > 0 && this.#renewDeadline > this.#retryPeriod && this.#leaseDuration > this.#renewDeadline)) {
      throw new RangeError(`leader election needs leaseDuration > renewDeadline > retryPeriod > 0 (got ${this.#leaseDuration}, ${this.#renewDeadline}, ${this.#retryPeriod} ms)`);
    }
    if (!this.identity) throw new RangeError('leader election needs a non-empty identity');
    this.#path = leasePath(options.namespace, options.name);
  }

  /** `lease <namespace>/<name>`, for messages. */
  get description(): string {
    return `lease ${this.#options.namespace}/${this.#options.name}`;
  }

  isLeader(): boolean {
    return this.#term !== undefined;
  }

  /** The holder last seen in the lease; undefined when it has none (or was not read yet). */
  get leader(): string | undefined {
    return this.#lease?.spec?.holderIdentity || undefined;
  }

  /**
   * Makes the first attempt, so that a lease this candidate may not read or write fails here (the
   * KubeApiError of a 4xx other than 409 and 429); `onStartedLeading` has been called when it won. Then
   * goes on in the background. Other failures are logged and retried.
   */
  async start(): Promise<void> {
    if (this.#loop || this.#stopping) throw new Error(`leader election on ${this.description} already started`);
    let first: Attempt | undefined;
    try {
      first = await this.#timed(this.#renewDeadline, (signal) => this.#attempt(signal));
    } catch (err) {
      if (this.#stop.signal.aborted) return;
      if (isRefusal(err)) {
        this.#stop.abort(err);
        throw err;
      }
      this.#log.warn({ err: describeError(err), retryInMs: this.#retryPeriod }, `cannot read or take ${this.description}: retrying`);
    }
    if (this.#stop.signal.aborted) return;
    if (first?.holding) this.#startLeading(first.previousHolder);
    else if (first) this.#log.debug({ holder: first.holder, identity: this.identity }, `${this.description} is held by ${first.holder || 'another candidate'}: standing by`);
    this.#loop = this.#run().catch((err: unknown) => this.#log.warn({ err: describeError(err) }, `leader election on ${this.description} stopped on an unexpected error`));
  }

  /**
   * Stops trying; a leader stops leading (its signal aborts, `onStoppedLeading` runs and is waited for) and
   * then releases the lease. Idempotent.
   */
  stop(): Promise<void> {
    return (this.#stopping ??= (async () => {
      this.#stop.abort(new Error(`leader election on ${this.description} stopped`));
      // The term ends now, not once a request in flight gave up.
      const stopped = this.#stopLeading('stopping');
      await this.#loop;
      await stopped;
      if (this.#lease?.spec?.holderIdentity === this.identity) await this.#release();
    })());
  }

  async #run(): Promise<void> {
    const stop = this.#stop.signal;
    while (!stop.aborted) {
      const term = this.#term;
      if (term) {
        await sleep(this.#retryPeriod, [stop, term.signal]);
        if (stop.aborted || term.signal.aborted) continue;
        await this.#renew(term);
        continue;
      }
      await sleep(this.#retryPeriod * (1 + this.#random() * jitter), [stop]);
      if (stop.aborted) break;
      try {
        const attempt = await this.#timed(this.#renewDeadline, (signal) => this.#attempt(signal));
        if (attempt.holding) this.#startLeading(attempt.previousHolder);
      } catch (err) {
        if (!stop.aborted) this.#log.warn({ err: describeError(err), retryInMs: this.#retryPeriod }, `cannot read or take ${this.description}: retrying`);
      }
    }
  }

  /** One renewal, given up at the term's deadline. */
  async #renew(term: AbortController): Promise<void> {
    const left = this.#renewedAt + this.#renewDeadline - Date.now();
    try {
      const attempt = await this.#timed(left, (signal) => this.#attempt(signal), [this.#stop.signal, term.signal]);
      if (!attempt.holding && this.#term === term) void this.#stopLeading(`it is held by ${attempt.holder || 'another candidate'} now`);
    } catch (err) {
      if (this.#stop.signal.aborted || term.signal.aborted) return;
      const giveUpInMs = this.#renewedAt + this.#renewDeadline - Date.now();
      this.#log.warn({ err: describeError(err), giveUpInMs }, `renewing ${this.description} failed: retrying for ${giveUpInMs} ms more`);
    }
  }

  /** Reads the lease and takes or renews it when it is free, expired or already ours. */
  async #attempt(signal: AbortSignal): Promise<Attempt> {
    const { client } = this.#options;
    const sentAt = Date.now();
    if (this.#term && this.#lease) {
      // The usual renewal: one write, based on the version this elector wrote last.
      try {
        this.#held(await client.replace<Lease>(this.#path, claimed(this.#lease, this.identity, this.#leaseDuration, sentAt), signal), sentAt);
        return { holding: true, previousHolder: this.identity };
      } catch (err) {
        if (!isStatus(err, 409)) throw err;
        // Changed since: read it and decide again.
      }
    }
    let current: Lease | undefined;
    try {
      current = await client.get<Lease>(this.#path, {}, signal);
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
    if (!current) {
      const fresh: Lease = { metadata: { name: this.#options.name, namespace: this.#options.namespace } };
      try {
        this.#held(await client.create<Lease>(leasePath(this.#options.namespace), claimed(fresh, this.identity, this.#leaseDuration, sentAt), signal), sentAt);
        return { holding: true, previousHolder: '' };
      } catch (err) {
        // Another candidate created it first.
        if (isStatus(err, 409)) return { holding: false, holder: '' };
        throw err;
      }
    }
    this.#observe(current, Date.now());
    const holder = current.spec?.holderIdentity ?? '';
    // A leader whose lease now names someone else (or nobody) lost it: its term ends, whatever the expiry.
    if (this.#term && holder !== this.identity) return { holding: false, holder };
    if (holder && holder !== this.identity && !this.#expired(current)) return { holding: false, holder };
    try {
      this.#held(await client.replace<Lease>(this.#path, claimed(current, this.identity, this.#leaseDuration, sentAt), signal), sentAt);
      if (holder !== this.identity) this.#log.debug({ previousHolder: holder }, `took ${this.description} over`);
      return { holding: true, previousHolder: holder };
    } catch (err) {
      // Another candidate wrote it between the read and this write: it won.
      if (isStatus(err, 409)) return { holding: false, holder };
      throw err;
    }
  }

  /** Records a lease read; a new resourceVersion restarts the wait for it to expire. */
  #observe(lease: Lease, at: number): void {
    if (lease.metadata?.resourceVersion !== this.#lease?.metadata?.resourceVersion) this.#observedAt = at;
    this.#lease = lease;
    const holder = lease.spec?.holderIdentity;
    if (holder && holder !== this.#reported) {
      this.#reported = holder;
      this.#log.debug({ holder }, `${this.description} is held by ${holder}`);
      try {
        this.#options.onNewLeader?.(holder);
      } catch (err) {
        this.#log.warn({ err: describeError(err) }, 'onNewLeader failed');
      }
    }
  }

  /** Records a write that made or kept this elector the holder; its deadline counts from when it was sent. */
  #held(lease: Lease, sentAt: number): void {
    this.#observe(lease, sentAt);
    this.#renewedAt = sentAt;
    if (this.#term) this.#arm();
  }

  /** Whether the holder had leaseDuration (as the lease states it) to renew since this elector saw it change. */
  #expired(lease: Lease): boolean {
    const seconds = lease.spec?.leaseDurationSeconds ?? Math.ceil(this.#leaseDuration / 1_000);
    return this.#observedAt + seconds * 1_000 <= Date.now();
  }

  #startLeading(previousHolder: string): void {
    // Won as stop() was called: no term; stop() releases the lease.
    if (this.#stop.signal.aborted) return;
    const term = new AbortController();
    this.#term = term;
    this.#arm();
    this.#log.info({ identity: this.identity, previousHolder }, `became the leader: holding ${this.description}`);
    try {
      this.#options.onStartedLeading(term.signal, { previousHolder });
    } catch (err) {
      this.#log.warn({ err: describeError(err) }, 'onStartedLeading failed');
    }
  }

  /** Stops leading when the current term reaches renewDeadline after its last renewal. */
  #arm(): void {
    clearTimeout(this.#deadline);
    const term = this.#term;
    this.#deadline = setTimeout(() => {
      if (this.#term === term) void this.#stopLeading(`could not renew it within ${this.#renewDeadline} ms`);
    }, Math.max(0, this.#renewedAt + this.#renewDeadline - Date.now()));
  }

  async #stopLeading(reason: string): Promise<void> {
    const term = this.#term;
    if (!term) return;
    this.#term = undefined;
    clearTimeout(this.#deadline);
    term.abort(new Error(`stopped leading ${this.description}: ${reason}`));
    this.#log.info({ identity: this.identity, reason }, `stopped leading: ${this.description}: ${reason}`);
    try {
      await this.#options.onStoppedLeading?.();
    } catch (err) {
      this.#log.warn({ err: describeError(err) }, 'onStoppedLeading failed');
    }
  }

  /** Leaves the lease without a holder and with a 1 s duration, unless it changed since this elector's last write. */
  async #release(): Promise<void> {
    const body = released(this.#lease!, Date.now());
    try {
      // Not cut short by the stop that asked for it, but short enough for a shutdown deadline.
      this.#lease = await this.#timed(Math.min(this.#renewDeadline, releaseTimeout), (signal) => this.#options.client.replace<Lease>(this.#path, body, signal), []);
      this.#log.info({ identity: this.identity }, `released ${this.description}`);
    } catch (err) {
      if (isStatus(err, 409)) this.#log.debug({}, `${this.description} changed since this candidate held it: nothing to release`);
      else this.#log.warn({ err: describeError(err) }, `could not release ${this.description}: the other candidates wait for it to expire`);
    }
  }

  /** Runs `request` with a signal aborted after `ms` or by one of `signals` (default: on stop). */
  #timed<T>(ms: number, request: (signal: AbortSignal) => Promise<T>, signals: AbortSignal[] = [this.#stop.signal]): Promise<T> {
    return withDeadline(ms, signals, request, this.description);
  }
}

function isStatus(err: unknown, status: number): boolean {
  return err instanceof KubeApiError && err.status === status;
}

/** A refusal no retry changes: 401, 403, 404 (no such namespace), 422… but not 408, 409 or 429. */
function isRefusal(err: unknown): boolean {
  return err instanceof KubeApiError && err.status >= 400 && err.status < 500 && ![408, 409, 429].includes(err.status);
}

/** Enough of an error for a log line: never request options or headers. */
function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof KubeApiError) return { message: err.message, status: err.status, reason: err.reason };
  if (err instanceof Error) return { message: err.message, name: err.name, ...('code' in err ? { code: err.code } : {}) };
  return { message: String(err) };
}
