import { startApiServer, type ApiServer } from './api-server.ts';

/** A server whose refusals echo a secret across the point where a sink cuts an answer for its error. */
export interface CuttingEchoServer extends ApiServer {
  /** The secret's first half: what an error cut at `cutAt` before masking would show. */
  firstHalf: string;
}

/**
 * Starts a server that answers every request `status` (401) with a text body in which `secret` starts
 * `cutAt - half` characters in, so that cutting the body to `cutAt` characters keeps its first half. Masking
 * after the cut cannot find the secret whole, so only a sink that masks the answer before cutting it shows
 * none of it.
 */
export async function startCuttingEcho(secret: string, options: { cutAt?: number; status?: number } = {}): Promise<CuttingEchoServer> {
  const cutAt = options.cutAt ?? 200;
  const half = Math.floor(secret.length / 2);
  const server = await startApiServer(() => ({ status: options.status ?? 401, body: `${'x'.repeat(cutAt - half)}${secret}` }));
  return Object.assign(server, { firstHalf: secret.slice(0, half) });
}
