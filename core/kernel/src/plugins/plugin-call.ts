import { isHeraldError } from '@herald/plugin-sdk';
import { withDeadline } from '../deadline.ts';
import { KernelErrorCodes, PluginError, type KernelErrorCode } from '../errors.ts';

/**
 * Every call into plugin code goes through here: a deadline, and an error that names the plugin and the
 * call while keeping the original as `cause` (and its retryability).
 */
export function callPlugin<T>(
  pluginId: string,
  what: string,
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  failureCode: KernelErrorCode = KernelErrorCodes.pluginCall,
): Promise<T> {
  return withDeadline(
    timeoutMs,
    async (signal) => {
      try {
        return await work(signal);
      } catch (cause) {
        if (cause instanceof PluginError && cause.pluginId === pluginId) throw cause;
        const message = cause instanceof Error ? cause.message : String(cause);
        throw new PluginError(pluginId, failureCode, `${what} failed: ${message}`, {
          cause,
          // An unexpected error (a plain Error from a network library, say) may well pass on a retry; the
          // bus retries it a bounded number of times before dead-lettering.
          retryable: isHeraldError(cause) ? cause.retryable : true,
        });
      }
    },
    () => new PluginError(pluginId, KernelErrorCodes.pluginTimeout, `${what} did not finish within ${timeoutMs} ms`, { retryable: true }),
  );
}
