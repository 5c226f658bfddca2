import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './exit-hook.ts';

/**
 * Ports handed out to a live test process, one file each, across the test workers of a run: a server a test
 * stops and starts again on its port (a restart) would otherwise find it taken by a server another worker
 * started meanwhile on a port the kernel handed out again, and the test would talk to that one.
 */
const reservations = join(tmpdir(), 'herald-ports');
const reserved: string[] = [];
onProcessExit(() => {
  for (const file of reserved) rmSync(file, { force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes `port` for this process unless a live test process holds it. */
function reserve(port: number): boolean {
  mkdirSync(reservations, { recursive: true });
  const file = join(reservations, String(port));
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      reserved.push(file);
      return true;
    } catch {
      const holder = Number(readFileSync(file, { encoding: 'utf8', flag: 'r' }) || 0);
      if (holder === process.pid || alive(holder)) return false;
      rmSync(file, { force: true }); // left by a process that died
    }
  }
  return false;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now, and that no other live test process was given. */
export async function freePort(): Promise<number> {
  for (let tries = 0; ; tries++) {
    const port = await kernelPort();
    if (reserve(port) || tries >= 50) return port;
  }
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a loopback listener'));
      });
    });
  });
}

/** Resolves once a TCP connect to host:port succeeds, or rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
