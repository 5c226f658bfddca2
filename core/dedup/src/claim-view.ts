import { decodeClaim, type Claim } from './claim-codec.ts';

/** A claim as read from the state bucket, with the revision a compare-and-set needs. */
export type ClaimView = Readonly<Claim> & { readonly revision: number };

export function viewClaim(entry: { value: string; revision: number }): ClaimView {
  return { ...decodeClaim(entry.value), revision: entry.revision };
}
