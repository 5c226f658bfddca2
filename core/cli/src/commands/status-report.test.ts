import { describe, expect, it } from 'vitest';
import { durableStatus, processStatus } from './status-report.ts';

describe('status report', () => {
  it('sums a partitioned durable and tells lag from pending and unacknowledged messages', () => {
    const c = (name: string, pending: number, ackPending: number) => ({ stream: 'HERALD_EVENTS', name, durable: name.replace(/-p\d+$/, ''), pending, ackPending, redelivered: 0 });
    expect(durableStatus([c('herald-evaluator-p0', 2, 1), c('herald-evaluator-p1', 3, 0)])).toEqual([
      { durable: 'herald-evaluator', stream: 'HERALD_EVENTS', consumers: 2, pending: 5, ackPending: 1, redelivered: 0, lag: 6 },
    ]);
  });

  it('marks a process gone after 3 heartbeats without one, and the Lease holder as leader', () => {
    const now = Date.parse('2026-01-01T00:01:00Z');
    const record = (pid: number) => ({ host: 'node-a', pid, roles: ['source'], heartbeatMs: 5_000 });
    const processes = processStatus(
      [
        { id: 'a', lastSeen: new Date(now - 2_000), record: record(10) },
        { id: 'b', lastSeen: new Date(now - 16_000), record: record(11) },
      ],
      { lease: 'ns/herald-source', holder: 'node-a_10_abcd', renewTime: null },
      now,
    );
    expect(processes.map((p) => [p.id, p.alive, p.sourceLeader])).toEqual([
      ['a', true, true],
      ['b', false, false],
    ]);
  });
});
