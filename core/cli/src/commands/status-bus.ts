import { existsSync } from 'node:fs';
import { BusInspector } from '@herald/core-bus';
import { loadEngineConfig, toBusOptions, type EngineConfig } from '@herald/core-kernel';

/**
 * The engine config `herald run` would read: `--config`, else $HERALD_CONFIG, else ./herald.yaml if present,
 * else the defaults. Throws ConfigError.
 */
export function engineConfigFor(path: string | undefined): { config: EngineConfig; path: string | undefined } {
  const file = path ?? process.env.HERALD_CONFIG ?? (existsSync('herald.yaml') ? 'herald.yaml' : undefined);
  return { config: loadEngineConfig(file === undefined ? {} : { path: file }), path: file };
}

/** A read-only look at the bus the engine config names (`herald status`, `replay`, `route test`). */
export function inspectBus(config: EngineConfig, timeoutMs: number, name: string): Promise<BusInspector> {
  const bus = toBusOptions(config);
  return BusInspector.connect({ servers: bus.servers, name: `${bus.name}-${name}`, ...(bus.auth ? { auth: bus.auth } : {}), ...(bus.tls ? { tls: bus.tls } : {}), topology: bus.topology!, timeoutMs });
}
