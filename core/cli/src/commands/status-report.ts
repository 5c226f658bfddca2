import type { AnnouncedProcess, ConsumerStatus, StreamStatus } from '@herald/core-bus';
import type { ProcessRecord } from '@herald/core-kernel';
import type { SourceLeader } from './status-leader.ts';
import { table } from './table.ts';

export interface ProcessStatus {
  id: string;
  host: string | null;
  pid: number | null;
  roles: readonly string[];
  version: string | null;
  startedAt: string | null;
  lastSeen: string;
  /** Heard from within 3 heartbeats; a process that died keeps its key until the bucket's TTL. */
  alive: boolean;
  ready: true | string | null;
  plugins: ProcessRecord['plugins'];
  notificationConfig: ProcessRecord['notificationConfig'] | null;
  /** Holds the Kubernetes source's Lease: the one replica publishing events. */
  sourceLeader: boolean;
}

export interface DurableStatus {
  durable: string;
  stream: string;
  /** Consumers of the durable: one per partition for the events channel. */
  consumers: number;
  pending: number;
  ackPending: number;
  redelivered: number;
  /** Messages not yet handled: pending + ackPending. */
  lag: number;
}

export interface StatusReport {
  nats: { url: string; name: string; version: string };
  processes: ProcessStatus[];
  streams: StreamStatus[];
  durables: DurableStatus[];
  deadLetters: { total: number; byChannel: Record<string, number> };
  sourceLeader: SourceLeader | null;
}

/** Processes as announced, marked alive or gone, and the one holding the source's Lease. */
export function processStatus(announced: readonly AnnouncedProcess[], leader: SourceLeader | undefined, now: number): ProcessStatus[] {
  return announced
    .map(({ id, lastSeen, record }) => {
      const r = (record ?? {}) as Partial<ProcessRecord>;
      const heartbeatMs = typeof r.heartbeatMs === 'number' ? r.heartbeatMs : 5_000;
      const holder = leader?.holder?.split('_');
      return {
        id,
        host: r.host ?? null,
        pid: r.pid ?? null,
        roles: r.roles ?? [],
        version: r.version ?? null,
        startedAt: r.startedAt ?? null,
        lastSeen: lastSeen.toISOString(),
        alive: now - lastSeen.getTime() <= 3 * heartbeatMs,
        ready: r.ready ?? null,
        plugins: r.plugins ?? [],
        notificationConfig: r.notificationConfig ?? null,
        sourceLeader: holder !== undefined && holder[0] === r.host && holder[1] === String(r.pid),
      };
    })
    .sort((a, b) => Number(b.alive) - Number(a.alive) || a.roles.join().localeCompare(b.roles.join()) || a.id.localeCompare(b.id));
}

/** One row per durable: a partitioned durable's consumers summed. */
export function durableStatus(consumers: readonly ConsumerStatus[]): DurableStatus[] {
  const byDurable = new Map<string, DurableStatus>();
  for (const c of consumers) {
    const key = `${c.stream}\u0000${c.durable}`;
    const d = byDurable.get(key) ?? { durable: c.durable, stream: c.stream, consumers: 0, pending: 0, ackPending: 0, redelivered: 0, lag: 0 };
    d.consumers++;
    d.pending += c.pending;
    d.ackPending += c.ackPending;
    d.redelivered += c.redelivered;
    d.lag = d.pending + d.ackPending;
    byDurable.set(key, d);
  }
  return [...byDurable.values()];
}

const ago = (iso: string, now: number) => `${Math.max(0, Math.round((now - Date.parse(iso)) / 1000))}s ago`;
const duration = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);

function selfServiceText({ count, names }: { count: number; names: string[] }): string {
  if (count === 0) return 'none';
  return `${count}: ${names.join(', ')}${count > names.length ? `, and ${count - names.length} more` : ''}`;
}

export function statusText(r: StatusReport, now: number): string {
  const parts = [`NATS: ${r.nats.url} (${r.nats.name || 'server'} ${r.nats.version}): connected\n`];
  if (r.processes.length) {
    const rows = r.processes.map((p) => [
      p.id,
      p.roles.join(',') || '-',
      p.alive ? 'running' : `gone (last seen ${ago(p.lastSeen, now)})`,
      p.ready === true ? 'yes' : p.ready === null ? '-' : 'no',
      p.startedAt ? ago(p.startedAt, now).replace(' ago', '') : '-',
      p.notificationConfig ? `${p.notificationConfig.digest ?? 'none loaded'} (v${p.notificationConfig.generation})` : '-',
      p.sourceLeader ? 'yes' : '',
      p.plugins.map((x) => `${x.id}=${x.state}`).join(' '),
    ]);
    parts.push(`\nProcesses:\n${table([['PROCESS', 'ROLES', 'STATE', 'READY', 'UP', 'CONFIG', 'LEADER', 'PLUGINS'], ...rows])}`);
    for (const p of r.processes) {
      if (p.alive && typeof p.ready === 'string') parts.push(`  ${p.id} not ready: ${p.ready}\n`);
      const rejection = p.notificationConfig?.lastRejection;
      if (p.alive && rejection) parts.push(`  ${p.id} last config rejection (${rejection.at}): ${rejection.part}: ${rejection.errors.join('; ')} (${rejection.keptPrevious ? 'previous version kept' : 'left out'})\n`);
    }
  } else {
    parts.push('\nProcesses: none announced (no Herald process is running against this server, with these nats prefixes)\n');
  }
  const configs = new Set(r.processes.filter((p) => p.alive && p.notificationConfig).map((p) => `${p.notificationConfig!.origin} ${p.notificationConfig!.digest ?? 'none loaded'}`));
  if (configs.size) parts.push(`\nNotification config: ${[...configs].join('; ')}${configs.size > 1 ? ' (processes disagree: a reload is under way, or one is stuck)' : ''}\n`);
  const selfService = new Set(r.processes.filter((p) => p.alive && p.notificationConfig?.namespaces).map((p) => selfServiceText(p.notificationConfig!.namespaces!)));
  if (selfService.size) parts.push(`Namespaces with their own config (self-service): ${[...selfService].join('; ')}${selfService.size > 1 ? ' (processes disagree: a change is under way, or one is stuck)' : ''}\n`);
  if (r.sourceLeader) {
    const l = r.sourceLeader;
    parts.push(`Source leader: ${l.problem ? `unknown (lease ${l.lease}: ${l.problem})` : l.holder ? `${l.holder} (lease ${l.lease}, renewed ${l.renewTime ?? '?'})` : `nobody holds lease ${l.lease}`}\n`);
  }
  parts.push(
    `\nStreams:\n${table([
      ['STREAM', 'MESSAGES', 'BYTES', 'OLDEST', 'MAX AGE'],
      ...r.streams.map((s) => [s.name, s.exists ? String(s.messages) : 'missing', String(s.bytes), s.firstTime ? s.firstTime.toISOString() : '-', duration(s.maxAgeMs)]),
    ])}`,
  );
  parts.push(
    r.durables.length
      ? `\nConsumers:\n${table([['DURABLE', 'STREAM', 'CONSUMERS', 'LAG', 'PENDING', 'ACK PENDING', 'REDELIVERED'], ...r.durables.map((d) => [d.durable, d.stream, String(d.consumers), String(d.lag), String(d.pending), String(d.ackPending), String(d.redelivered)])])}`
      : '\nConsumers: none\n',
  );
  const by = Object.entries(r.deadLetters.byChannel).map(([c, n]) => `${c}: ${n}`).join(', ');
  parts.push(`\nDead letters: ${r.deadLetters.total}${by ? ` (${by}; see herald dlq list)` : ''}\n`);
  return parts.join('');
}
