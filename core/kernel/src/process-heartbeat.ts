import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ConfigRejection, NotificationConfig } from '@herald/core-notification-config';
import type { Logger } from '@herald/plugin-sdk';
import type { Role } from './config/engine-config.schema.ts';
import type { Kernel, PluginStatus } from './kernel.ts';

/** How often a process renews its announcement; a reader counts it gone after 3 of these without one. */
export const PROCESS_HEARTBEAT_MS = 5_000;
/** Self-service namespaces named in an announcement; the rest are counted (an announcement is one KV value). */
const MAX_NAMESPACES = 50;

/** What a running process announces about itself in the members bucket (`processes.<id>`), for `herald status`. */
export interface ProcessRecord {
  host: string;
  pid: number;
  version: string;
  roles: readonly Role[];
  startedAt: string;
  heartbeatMs: number;
  plugins: readonly PluginStatus[];
  /** /readyz's verdict: true, or the checks that fail. */
  ready: true | string;
  /** Sources that report readiness: true, or what they wait for (a standby replica is ready). */
  sources: { id: string; ready: true | string }[];
  /** Where the evaluator or a sink runs: the notification config in force. */
  notificationConfig?: {
    origin: string;
    /** Versions this process has loaded since it started (0: none yet). */
    generation: number;
    loadedAt?: string;
    /** A digest of the triggers' conditions, the templates and the services in force: equal digests, equal configs. */
    digest?: string;
    triggers?: number;
    templates?: number;
    services?: number;
    /** The last part version refused, as announced on `herald.system.config-rejected`. */
    lastRejection?: ConfigRejection & { at: string };
    /** Self-service: the namespaces whose own config is in force (at most MAX_NAMESPACES named), and how many. */
    namespaces?: { count: number; names: string[] };
  };
}

export interface ProcessHeartbeatOptions {
  kernel: Pick<Kernel, 'bus' | 'roles' | 'status' | 'notificationConfig' | 'sourceReadiness' | 'configNamespaces'>;
  version: string;
  /** /readyz's checks, run at each heartbeat. */
  ready: () => Promise<true | string>;
  logger: Logger;
  intervalMs?: number;
}

export interface ProcessHeartbeat {
  readonly id: string;
  stop(): Promise<void>;
}

/**
 * Announces this process in the bus's process registry now and every heartbeat, and withdraws it on stop:
 * Herald's roles say what runs where only here (the members bucket under `processes.`), and `herald status`
 * reads it. The announcement is best effort: a failure is logged at debug and tried again next beat.
 */
export function startProcessHeartbeat(options: ProcessHeartbeatOptions): ProcessHeartbeat {
  const { kernel, logger } = options;
  const intervalMs = options.intervalMs ?? PROCESS_HEARTBEAT_MS;
  const host = hostname();
  const id = `${host}-${process.pid}-${randomUUID().slice(0, 8)}`.replace(/[^-_a-zA-Z0-9]/g, '_');
  const startedAt = new Date().toISOString();
  const registry = kernel.bus.processes;
  const provider = kernel.notificationConfig;
  let generation = provider?.current() ? 1 : 0;
  let loadedAt = provider?.current() ? startedAt : undefined;
  const unsubscribe = provider?.onChange(() => {
    generation++;
    loadedAt = new Date().toISOString();
  });
  let lastRejection: (ConfigRejection & { at: string }) | undefined;
  const rejections = provider
    ? kernel.bus.nc.subscribe(kernel.bus.topology.systemSubject('config-rejected'), {
        callback: (err, m) => {
          if (err) return;
          try {
            const event = JSON.parse(m.string()) as { time?: string; data?: ConfigRejection };
            if (event.data) lastRejection = { ...event.data, at: event.time ?? new Date().toISOString() };
          } catch {
            // Not ours to judge: the registry reports what it can read.
          }
        },
      })
    : undefined;

  const record = async (): Promise<ProcessRecord> => {
    const current = provider?.current();
    const namespaces = kernel.configNamespaces();
    return {
      host,
      pid: process.pid,
      version: options.version,
      roles: kernel.roles,
      startedAt,
      heartbeatMs: intervalMs,
      plugins: kernel.status(),
      ready: await options.ready().catch((err: unknown) => `readiness checks failed: ${(err as Error).message}`),
      sources: kernel.sourceReadiness(),
      ...(provider
        ? {
            notificationConfig: {
              origin: provider.origin,
              generation,
              ...(loadedAt ? { loadedAt } : {}),
              ...(current ? { digest: digestOf(current), triggers: current.triggers.size, templates: current.templates.size, services: current.services.size } : {}),
              ...(lastRejection ? { lastRejection } : {}),
              ...(namespaces ? { namespaces: { count: namespaces.length, names: namespaces.slice(0, MAX_NAMESPACES) } } : {}),
            },
          }
        : {}),
    };
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let beating: Promise<void> = Promise.resolve();
  const beat = async () => {
    try {
      await registry.announce(id, await record());
    } catch (err) {
      logger.debug({ err }, 'cannot announce this process now');
    }
  };
  const loop = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      beating = beat().finally(loop);
    }, intervalMs);
    timer.unref();
  };
  // The first announcement does not hold the start up: NATS may be slow to answer right now.
  beating = beat();
  void beating.finally(loop);
  return {
    id,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe?.();
      rejections?.unsubscribe();
      await beating;
      if (!kernel.bus.nc.isClosed()) await registry.withdraw(id).catch(() => undefined);
    },
  };
}

function digestOf(config: NotificationConfig): string {
  const parts = [
    ...[...config.triggers.values()].flatMap((t) => t.conditions.map((c) => `trigger:${t.name}:${c.key}:${c.send.join(',')}`)),
    ...[...config.templates.keys()].map((t) => `template:${t}`),
    ...[...config.services.entries()].map(([name, s]) => `service:${name}:${s.type}`),
  ].sort();
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 12);
}
