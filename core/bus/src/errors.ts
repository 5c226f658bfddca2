import { BUS_CLOSED_ERROR_CODE, HeraldError } from '@herald/plugin-sdk';

export const BusErrorCodes = {
  connect: 'HERALD_ERR_BUS_CONNECT',
  topology: 'HERALD_ERR_BUS_TOPOLOGY',
  publishTimeout: 'HERALD_ERR_BUS_PUBLISH_TIMEOUT',
  publishRejected: 'HERALD_ERR_BUS_PUBLISH_REJECTED',
  /** A stream at its limits refused a publish (discard new): retryable, the producer waits. */
  streamFull: 'HERALD_ERR_BUS_STREAM_FULL',
  // The SDK's: sources check it behind the publisher interface the SDK defines.
  closed: BUS_CLOSED_ERROR_CODE,
  malformed: 'HERALD_ERR_BUS_MALFORMED_MESSAGE',
  handlerFailed: 'HERALD_ERR_BUS_HANDLER_FAILED',
  handedBack: 'HERALD_ERR_BUS_HANDED_BACK',
  crashed: 'HERALD_ERR_BUS_UNFINISHED',
} as const;

export class BusError extends HeraldError {
  constructor(code: (typeof BusErrorCodes)[keyof typeof BusErrorCodes], message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(code, message, options);
    this.name = 'BusError';
  }
}
