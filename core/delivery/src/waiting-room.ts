/** Notifications a process holds waiting for their destination (a send slot or a token), across its sinks. */
export const DEFAULT_WAITING = 512;

/**
 * The process-wide bound on notifications waiting in the process for their destination. A waiting
 * notification holds its message (and an ack-pending place of its consumer); past the bound, a notification
 * steps aside through the bus as before, so memory stays bounded however many destinations are busy.
 */
export class WaitingRoom {
  readonly capacity: number;
  #seated = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Takes a seat; false when the room is full. */
  enter(): boolean {
    if (this.#seated >= this.capacity) return false;
    this.#seated++;
    return true;
  }

  leave(): void {
    this.#seated = Math.max(0, this.#seated - 1);
  }

  /** Notifications waiting now. */
  get seated(): number {
    return this.#seated;
  }
}

/** The room every sink runner of the process shares unless it is given its own. */
export const processWaitingRoom = new WaitingRoom(DEFAULT_WAITING);
