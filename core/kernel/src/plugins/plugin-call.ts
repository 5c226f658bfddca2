import { isHeraldError } from '@herald/plugin-sdk';
import { withDeadline } from '../deadline.ts';
import { KernelErrorCodes, PluginError, type KernelErrorCode } from '../errors.ts';

/**
 * Every call into plugin code goes through here: a deadline, and an error that names the plugin and the
 * call while keeping the original as `cause` (and its retryability). An error that is no HeraldError is a
 * bug in the plugin: it is reported as HERALD_ERR_PLUGIN_UNEXPECTED, and retried a bounded number of times
 * since it may as well be a network library's plain Error.
 */
export function callPlugin<T>(
  pluginId: string,
  what: string,
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  options: { failureCode?: KernelErrorCode; shutdown?: AbortSignal } = {},
): Promise<T> {
  const failureCode = options.failureCode ?? KernelErrorCodes.pluginCall;
  return withDeadline(
    timeoutMs,
    async (signal) => {
      try {
        return await work(signal);
      } catch (cause) {
        if (cause instanceof PluginError && cause.pluginId === pluginId) throw cause;
        const message = cause instanceof Error ? cause.message : String(cause);
        const expected = isHeraldError(cause);
        const code = expected || failureCode !== KernelErrorCodes.pluginCall ? failureCode : KernelErrorCodes.pluginUnexpected;
        throw new PluginError(pluginId, code, `${what} failed: ${message}`, { cause, retryable: expected ? cause.retryable : true });
      }
    },
    () => new PluginError(pluginId, KernelErrorCodes.pluginTimeout, `${what} did not finish within ${timeoutMs} ms`, { retryable: true }),
    options.shutdown,
  );
}
