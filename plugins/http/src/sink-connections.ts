import { DeliveryError } from '@herald/plugin-sdk';
import { AgentPool } from './agent-pool.ts';

/**
 * What an HTTP sink holds between sends: its pooled agents and the stop that cuts its requests. After
 * `stop`, a send fails at once (retryable: another replica or a restart delivers it) and requests in
 * flight are aborted.
 */
export class SinkConnections {
  readonly agents: AgentPool;
  readonly #sinkType: string;
  readonly #stopping = new AbortController();
  #stopped: Promise<void> | undefined;

  constructor(sinkType: string, options: { connections?: number } = {}) {
    this.#sinkType = sinkType;
    this.agents = new AgentPool(options);
  }

  /** The send's signal joined with the sink's stop; throws when the sink is already stopped. */
  signal(send: AbortSignal, what: string): AbortSignal {
    if (this.#stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: this.#stopping.signal.reason });
    return AbortSignal.any([send, this.#stopping.signal]);
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping.abort(new DOMException(`${this.#sinkType} sink stopped`, 'AbortError'));
      await this.agents.close();
    })();
    return this.#stopped;
  }
}
