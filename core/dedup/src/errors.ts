import { HeraldError } from '@herald/plugin-sdk';

export const DedupErrorCodes = {
  /** An object's claims kept changing while the annotation mirror wrote them; the change comes back later. */
  mirrorUnsettled: 'HERALD_ERR_DEDUP_MIRROR_UNSETTLED',
} as const;
export type DedupErrorCode = (typeof DedupErrorCodes)[keyof typeof DedupErrorCodes];

export class DedupError extends HeraldError {
  constructor(code: DedupErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(code, message, options);
    this.name = 'DedupError';
  }
}
