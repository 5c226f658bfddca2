import type { JetStreamManager } from '@nats-io/jetstream';
import { isStreamNotFound } from './stream-not-found.ts';

/**
 * Header of an event whose object was read from its system of record after the publishing process
 * connected to the bus (`PublishOptions.readSinceStart`): the state bucket's epoch as that process read it at
 * connect. An evaluator that finds the same epoch in the bucket now knows the bucket existed before the
 * object was read, so every `notified` annotation an earlier life of the bucket mirrored into the object is in
 * what the event carries (core/dedup, `Dedup.adopt`).
 */
export const STATE_EPOCH_HEADER = 'Herald-State-Epoch';

/**
 * The state bucket's epoch: when its stream was created (`created` of the stream's info), which a server keeps
 * across restarts and a bucket made again after a lost store does not share. Undefined when the bucket does not
 * exist; any other failure is thrown.
 */
export async function readStateEpoch(jsm: JetStreamManager, bucket: string): Promise<string | undefined> {
  try {
    return (await jsm.streams.info(`KV_${bucket}`)).created;
  } catch (err) {
    if (isStreamNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * A read whose callers each get an answer from a read started after they asked, shared by everyone who asked
 * while it waited to start: callers that need a value at least as current as something they did just before
 * (the state bucket's epoch after a read of an object's claims) without a request each.
 */
export class CurrentRead<T> {
  readonly #read: () => Promise<T>;
  /** The read under way, started before whoever asks now. */
  #running: Promise<T> | undefined;
  /** The read that starts when the running one ends: everyone who asks meanwhile shares it. */
  #next: Promise<T> | undefined;

  constructor(read: () => Promise<T>) {
    this.#read = read;
  }

  get(): Promise<T> {
    if (this.#next) return this.#next;
    if (!this.#running) return this.#start();
    const next = this.#running.then(
      () => this.#start(),
      () => this.#start(),
    );
    this.#next = next;
    return next;
  }

  #start(): Promise<T> {
    this.#next = undefined;
    const running = this.#read();
    this.#running = running;
    const done = () => {
      if (this.#running === running) this.#running = undefined;
    };
    running.then(done, done);
    return running;
  }
}
