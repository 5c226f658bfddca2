// The claim codec (claim-codec.ts) and the annotation format (notified-annotation.ts) stay inside: every
// read and write of a claim or of the `notified` annotation goes through Dedup and the state role.
export { Dedup, notifiedAnnotationEntries, type NotifiedEntry, type Adoption, type DedupOptions, type RetakeOutcome, type SettleOutcome } from './dedup.ts';
export { ObjectClaims, type ClaimOrigin, type ClaimOutcome, type ReleaseOutcome } from './object-claims.ts';
export type { ClaimView } from './claim-view.ts';
export { startStateRole, type StateRoleOptions } from './state-role.ts';
export { DedupError, DedupErrorCodes, type DedupErrorCode } from './errors.ts';
