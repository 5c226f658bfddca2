import { ConfigError, loadEngineConfig } from '@herald/core-kernel';
import { ExitCode } from '../exit-codes.ts';
import { print, printError, type Output } from '../output.ts';

/** `herald config check`: validate herald.yaml (with environment overrides) without starting anything. */
export function configCheckCommand(options: { config?: string }, out: Output): ExitCode {
  const path = options.config ?? process.env.HERALD_CONFIG;
  try {
    const config = loadEngineConfig(path === undefined ? {} : { path });
    const auth = config.nats.auth ? { ...config.nats.auth, ...(config.nats.auth.token ? { token: '[redacted]' } : {}), ...(config.nats.auth.password ? { password: '[redacted]' } : {}) } : undefined;
    const shown = { ...config, nats: { ...config.nats, ...(auth ? { auth } : {}) } };
    print(out, `${path ?? 'engine config'}: valid (${config.plugins.length} plugin(s), roles ${config.roles.join(', ')})`, { valid: true, config: shown });
    return ExitCode.ok;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    printError(out, { code: err.code, message: err.message, issues: err.issues });
    return ExitCode.failure;
  }
}
