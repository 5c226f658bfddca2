/**
 * Life of one pull request. On a cluster, a consumer whose leader moves (election, member restarted or cut
 * off) forgets the pulls it had: the client notices only when two idle heartbeats (half this each) are
 * missed, and pulls again. The client's default, 30 s, stalled a consumer that long after every election.
 */
export const PULL_EXPIRES_MS = 5_000;
