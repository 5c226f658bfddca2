import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface EngineConfigPathOptions {
  /** `-c/--config` as given. */
  explicit?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Where `./herald.yaml` is looked for; default: the working directory. */
  cwd?: string;
}

/**
 * Which herald.yaml a command reads: `-c/--config`, else `$HERALD_CONFIG`, else `./herald.yaml` when it
 * exists, else none (defaults plus environment overrides). The one rule `herald run`, `config check` and
 * every command that reads the engine config follow, so they never disagree about which file they read.
 */
export function resolveEngineConfigPath(options: EngineConfigPathOptions = {}): string | undefined {
  if (options.explicit) return options.explicit;
  const fromEnv = (options.env ?? process.env).HERALD_CONFIG;
  if (fromEnv) return fromEnv;
  const local = resolve(options.cwd ?? process.cwd(), 'herald.yaml');
  return existsSync(local) ? (options.cwd === undefined ? 'herald.yaml' : local) : undefined;
}
