// The claim codec (claim-codec.ts) and the annotation format (notified-annotation.ts) stay inside: every
// read and write of a claim or of the `notified` annotation goes through Dedup and the state role.
export { Dedup, notifiedAnnotationEntries, type NotifiedEntry, type Adoption, type DedupOptions, type Observation, type RetakeOutcome, type SettleOutcome } from './dedup.ts';
export { ObjectClaims, type ClaimOrigin, type ClaimOutcome, type ReleaseOutcome } from './object-claims.ts';
export type { ClaimView } from './claim-view.ts';
export { startStateRole, type StateRoleOptions } from './state-role.ts';
export { DedupError, DedupErrorCodes, type DedupErrorCode } from './errors.ts';
// The header an event's epoch travels in, for the evaluator that hands it to adopt.
export { STATE_EPOCH_HEADER } from '@herald/core-bus';
