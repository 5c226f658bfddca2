/** What a sink's failed `send` rejects with, as a test looks at it. */
export type Rejection = Error & { retryable?: boolean; retryAfterMs?: number; code?: string };

/** The error `promise` rejected with; throws when it resolved instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Rejection> {
  try {
    await promise;
  } catch (err) {
    return err as Rejection;
  }
  throw new Error('expected a rejection, but it resolved');
}
