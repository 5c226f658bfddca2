/**
 * Life of one pull request. On a cluster, a consumer whose leader moves (election, member restarted or cut
 * off) forgets the pulls it had: the client notices only when two idle heartbeats (half this each) are
 * missed, and pulls again. The client's default, 30 s, stalled a consumer that long after every election.
 */
export const PULL_EXPIRES_MS = 5_000;

/**
 * Missed heartbeats (one every PULL_EXPIRES_MS / 2) after which a consume is stopped and started again. The
 * client re-pulls by itself at the second; on a cluster that is not always enough: after a partition healed,
 * a process whose server had been cut off kept one consumer's pull unanswered for about 30 s (the pull went
 * to a leader that no longer was one). Four (10 s of silence) is two of the client's own tries later.
 */
export const RESTART_AFTER_MISSED_HEARTBEATS = 4;

/** True when a consume's status says its pulls have gone unanswered for too long while connected. */
export function stalled(status: { type: string }, connected: boolean): status is { type: 'heartbeats_missed'; count: number } {
  return connected && status.type === 'heartbeats_missed' && ((status as { count?: number }).count ?? 0) >= RESTART_AFTER_MISSED_HEARTBEATS;
}
