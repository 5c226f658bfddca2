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
 * What /readyz checks once the kernel is up: NATS answers, the streams exist, and no plugin of the roles
 * this process runs failed or stopped. Until the kernel is up there are no checks, and /readyz says not ready.
 */
export function readinessChecks(kernel: Kernel): ReadinessCheck[] {
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
      name: 'plugins',
      check: () => {
        const down = kernel.status().filter((p) => p.state === 'failed' || p.state === 'stopped');
        return down.length === 0 ? true : down.map((p) => `${p.id} ${p.state}${p.error ? ` (${p.error.code})` : ''}`).join(', ');
      },
    },
  ];
}
