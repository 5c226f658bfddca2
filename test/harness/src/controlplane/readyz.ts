import { request } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';

export interface ReadyzTarget {
  readonly server: string;
  /** PEM of the CA that signed the serving certificate. */
  readonly ca: string;
  readonly token: string;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One authenticated, CA-verified GET against the apiserver. */
function get(target: ReadyzTarget, path: string, timeoutMs = 5000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, target.server),
      { ca: target.ca, headers: { authorization: `Bearer ${target.token}` }, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to GET ${path} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Polls /readyz until it answers 200, `gaveUp` settles (the process died), or the deadline passes.
 * Returns a description of the failure, or undefined when ready; the caller adds the process log.
 */
export async function waitForReadyz(
  target: ReadyzTarget,
  timeoutMs: number,
  gaveUp: Promise<string>,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  let stopReason: string | undefined;
  void gaveUp.then((reason) => (stopReason = reason));
  while (stopReason === undefined) {
    try {
      const answer = await get(target, '/readyz?verbose', 2000);
      if (answer.status === 200) return undefined;
      const failing = answer.body.split('\n').filter((l) => l.startsWith('[-]'));
      last = `HTTP ${answer.status}${failing.length > 0 ? `: ${failing.join('; ')}` : ''}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) return `not ready after ${timeoutMs} ms (last answer: ${last})`;
    await delay(100);
  }
  return stopReason;
}
