import { BusError, BusErrorCodes } from './errors.ts';

/**
 * Thrown by a handler whose work was interrupted by a stop, not by anything wrong with the message: the
 * subscriber gives the message back to the server without counting an attempt or dead-lettering it.
 */
export class HandBackError extends BusError {
  constructor(message: string, cause?: unknown) {
    super(BusErrorCodes.handedBack, message, { cause, retryable: true });
    this.name = 'HandBackError';
  }
}

export function isHandBack(err: unknown): boolean {
  return (err as { code?: unknown })?.code === BusErrorCodes.handedBack;
}

/**
 * True for a retryable failure that its handler will not try again (its own attempt budget, e.g. a
 * service's retry policy, is spent below maxDeliver): the message is dead-lettered now, as given up after
 * its attempts. The error says so with `lastAttempt: true`.
 */
export function isLastAttempt(err: unknown): boolean {
  return (err as { lastAttempt?: unknown } | null | undefined)?.lastAttempt === true;
}
