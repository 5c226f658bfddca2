import { describe, expect, it } from 'vitest';
import { durableStatus, processStatus, statusText, type StatusReport } from './status-report.ts';

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

  it('names the namespaces whose own config is in force (self-service), counts those past the named ones, and says when processes disagree', () => {
    const now = Date.parse('2026-01-01T00:01:00Z');
    const evaluator = (id: string, namespaces: { count: number; names: string[] }) => ({
      id,
      lastSeen: new Date(now - 1_000),
      record: { host: 'node-a', pid: 1, roles: ['evaluator'], heartbeatMs: 5_000, notificationConfig: { origin: 'configmap herald/herald-notifications-cm', generation: 1, digest: 'd1', namespaces } },
    });
    const report = (announced: ReturnType<typeof evaluator>[]): StatusReport => ({
      nats: { url: 'nats://127.0.0.1:4222', name: 'n', version: '2.15.2' },
      processes: processStatus(announced, undefined, now),
      streams: [],
      durables: [],
      deadLetters: { total: 0, byChannel: {} },
      sourceLeader: null,
    });
    const line = (r: StatusReport) => statusText(r, now).split('\n').find((l) => l.startsWith('Namespaces with their own config'));
    expect(line(report([evaluator('a', { count: 2, names: ['team-a', 'team-b'] })]))).toBe('Namespaces with their own config (self-service): 2: team-a, team-b');
    expect(line(report([evaluator('a', { count: 52, names: ['team-a', 'team-b'] })]))).toBe('Namespaces with their own config (self-service): 52: team-a, team-b, and 50 more');
    expect(line(report([evaluator('a', { count: 0, names: [] }), evaluator('b', { count: 1, names: ['team-a'] })]))).toBe(
      'Namespaces with their own config (self-service): none; 1: team-a (processes disagree: a change is under way, or one is stuck)',
    );
    // Self-service off: no line at all.
    expect(line({ ...report([]), processes: processStatus([{ id: 'a', lastSeen: new Date(now), record: { roles: ['evaluator'] } }], undefined, now) })).toBeUndefined();
  });
});
