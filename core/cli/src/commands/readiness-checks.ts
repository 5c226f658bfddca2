import type { Kernel } from '@herald/core-kernel';
import type { ReadinessCheck } from '@herald/core-telemetry';

const CHANNELS = ['events', 'notifications', 'results', 'deadLetters'] as const;

function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * What /readyz checks once the kernel is up: NATS answers, the streams exist, a notification config is
 * loaded (where the evaluator or a sink runs), every source synced and leading or standing by, and no plugin of the roles this process runs failed or stopped. Until the kernel is up there are no checks, and /readyz says not ready.
 */
export function readinessChecks(kernel: Pick<Kernel, 'bus' | 'status' | 'notificationConfig' | 'sourceReadiness'>): ReadinessCheck[] {
  const { bus } = kernel;
  return [
    {
      name: 'nats',
      check: async (): Promise<true | string> => {
        if (bus.nc.isClosed()) return 'connection closed';
        await within(2_000, bus.nc.rtt(), 'NATS round trip');
        return true;
      },
    },
    {
      name: 'streams',
      check: async (): Promise<true | string> => {
        for (const channel of CHANNELS) {
          const name = bus.topology.streamName(channel);
          await within(2_000, bus.jsm.streams.info(name), `stream ${name}`);
        }
        return true;
      },
    },
    {
      // Events wait on the bus until a config loads; a process without one is up but not doing its work.
      name: 'notification-config',
      check: () => {
        const config = kernel.notificationConfig;
        if (!config || config.current()) return true;
        return `no notification config loaded yet from ${config.origin}`;
      },
    },
    {
      // A source is synced once the first list of everything it watches is published; a standby replica is ready.
      name: 'source',
      check: () => {
        const waiting = kernel.sourceReadiness().filter((s) => s.ready !== true);
        return waiting.length === 0 ? true : waiting.map((s) => `${s.id}: ${s.ready as string}`).join('; ');
      },
    },
    {
      name: 'plugins',
      check: () => {
        const down = kernel.status().filter((p) => p.state === 'failed' || p.state === 'stopped');
        return down.length === 0 ? true : down.map((p) => `${p.id} ${p.state}${p.error ? ` (${p.error.code})` : ''}`).join(', ');
      },
    },
  ];
}

/** The checks' verdict in one value: true, or `<check>: <why>` for each that fails (as /readyz lists them). */
export async function readinessVerdict(checks: readonly ReadinessCheck[]): Promise<true | string> {
  if (checks.length === 0) return 'starting';
  const failing: string[] = [];
  for (const c of checks) {
    try {
      const result = await c.check();
      if (result !== true) failing.push(`${c.name}: ${result}`);
    } catch (err) {
      failing.push(`${c.name}: ${(err as Error).message}`);
    }
  }
  return failing.length === 0 ? true : failing.join('; ');
}
