import { describe, expect, it } from 'vitest';
import { assignPartitions } from './partition-share.ts';

const members = (n: number) => Array.from({ length: n }, (_, i) => `m-${i}-${(i * 2654435761) >>> 0}`);
const loads = (owners: readonly string[]) => [...owners.reduce((m, o) => m.set(o, (m.get(o) ?? 0) + 1), new Map<string, number>()).values()].sort((a, b) => a - b);

describe('assignPartitions: replicas split the partitions of a durable', () => {
  it.each([1, 2, 3, 5, 16, 20])('%i member(s) share 16 partitions evenly', (n) => {
    const owners = assignPartitions(16, members(n));
    const cap = Math.ceil(16 / n);
    expect(owners).toHaveLength(16);
    expect(Math.max(...loads(owners))).toBeLessThanOrEqual(cap);
    expect(new Set(owners).size).toBe(Math.min(n, 16));
  });

  it('is the same whatever order the member list was read in', () => {
    const list = members(4);
    expect(assignPartitions(16, [...list].reverse())).toEqual(assignPartitions(16, list));
  });

  it('moves few partitions when a member joins or leaves', () => {
    const three = members(3);
    const before = assignPartitions(16, three);
    const after = assignPartitions(16, three.slice(0, 2));
    // The leaving member's partitions (5 or 6) move, and few others: nothing like a full reshuffle.
    const moved = before.filter((owner, p) => owner !== after[p]).length;
    expect(moved).toBeLessThanOrEqual(before.filter((o) => o === three[2]).length + 3);
    const joined = assignPartitions(16, [...three, 'm-new']);
    expect(before.filter((owner, p) => owner !== joined[p]).length).toBeLessThanOrEqual(4 + 3);
  });
});
