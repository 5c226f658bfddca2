import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { waitForPort } from '../free-port.ts';
import { toolPath } from '../tools.ts';
import { killedOnExit, onProcessExit } from '../exit-hook.ts';

/**
 * Three nats-servers forming one JetStream cluster, each on a "host" of its own: a network namespace the
 * test creates, linked to the other two and to the test's namespace by veth pairs (no bridge, no
 * forwarding, no firewall rule). Cutting a host's links partitions it, with whatever runs inside it (a
 * Herald process started through `host.command`). Needs root and iproute2.
 *
 * Addresses: every member answers on its own address (10.S.100.<n+1>, port 4222) from every namespace,
 * so one URL list works for the test and for every host.
 */
export interface NatsCluster {
  readonly members: readonly NatsClusterMember[];
  /** Client URLs of every member. */
  readonly urls: string[];
  /** The member a server name (`herald-m1`) belongs to. */
  member(serverName: string): NatsClusterMember;
  /** Server name of the leader of a stream (or KV bucket's stream), asked of any reachable member. */
  streamLeader(stream: string): Promise<string>;
  /**
   * Asks the leader of a stream (or a KV bucket's stream) to step down, as an operator or an upgrade tool
   * does: the replicas elect another, and until one leads, that stream answers nothing. Resolves once the
   * server accepted; the server name of the leader that stepped down.
   */
  stepDown(stream: string): Promise<string>;
  /** Resolves once every running member reports healthy (JetStream current: /healthz). */
  healthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface NatsClusterMember {
  /** 0, 1, 2. */
  readonly index: number;
  /** Server name, `herald-m<index>`. */
  readonly name: string;
  readonly url: string;
  readonly storeDir: string;
  readonly logPath: string;
  readonly host: NatsHost;
  running(): boolean;
  /** SIGKILL, as a crashed machine would. */
  kill(): Promise<void>;
  /** SIGTERM (lame duck, then exit). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Deletes the JetStream store (the member must be down): a replaced disk. */
  wipeStore(): void;
}

export interface NatsHost {
  /** The network namespace's name. */
  readonly namespace: string;
  /** `command` prefixed so it runs inside this host (`ip netns exec <ns> …`). */
  command(argv: readonly string[]): string[];
  /**
   * Makes a port of the test's loopback (kube-apiserver, an HTTP receiver) reachable at 127.0.0.1:<port>
   * inside the host, through its link: a partition cuts it too. Idempotent.
   */
  forward(port: number): Promise<void>;
  /** Takes every link of the host down: its member and processes reach nothing outside it, nothing reaches them. */
  cut(): void;
  heal(): void;
  readonly isCut: boolean;
}

const CLIENT_PORT = 4222;
const ROUTE_PORT = 6222;
const MONITOR_PORT = 8222;
const live = killedOnExit();
const cleanups = new Set<() => void>();
onProcessExit(() => {
  for (const cleanup of cleanups) cleanup();
});

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A 10.S.0.0/16 none of this machine's interfaces or routes uses. */
function freeSubnet(): number {
  const used = execFileSync('ip', ['-o', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }) + execFileSync('ip', ['-o', 'addr'], { encoding: 'utf8' });
  for (let tries = 0; tries < 50; tries++) {
    const s = randomInt(100, 250);
    if (!used.includes(`10.${s}.`)) return s;
  }
  throw new Error('no free 10.S.0.0/16 for the cluster hosts');
}

export async function startNatsCluster(options: { size?: number; readyTimeoutMs?: number } = {}): Promise<NatsCluster> {
  if (process.getuid?.() !== 0) throw new Error('startNatsCluster needs root: it creates network namespaces and veth pairs (run the e2e tier as root, as scripts/dev does)');
  const size = options.size ?? 3;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const binary = toolPath('HERALD_NATS_SERVER', 'nats-server', 'nats-server');
  const s = freeSubnet();
  const tag = randomInt(0, 0xffff).toString(16).padStart(4, '0');
  const dir = mkdtempSync(join(tmpdir(), 'herald-nats-cluster-'));
  const address = (i: number) => `10.${s}.100.${i + 1}`;
  const ns = (i: number) => `hn${tag}${i}`;
  // Each link with the routes through it: the kernel drops a device's routes when it goes down, heal() puts them back.
  const links: { a: number | 'root'; b: number; ifA: string; ifB: string; routes: string[][] }[] = [];
  const created: string[] = [];
  const relays = new Set<Server>();
  // The relays inside hosts are processes: deleting their namespace does not end them.
  const relayProcesses = new Set<ChildProcess>();

  const teardown = () => {
    for (const relay of relays) relay.close();
    for (const child of relayProcesses) child.kill('SIGKILL');
    for (const n of created) {
      try {
        ip('netns', 'del', n);
      } catch {
        // Already gone.
      }
    }
    // veth pairs go with their namespace; root-side ends vanish with their peer.
  };
  cleanups.add(teardown);

  try {
    for (let i = 0; i < size; i++) {
      ip('netns', 'add', ns(i));
      created.push(ns(i));
      ip('-n', ns(i), 'link', 'set', 'lo', 'up');
      ip('-n', ns(i), 'addr', 'add', `${address(i)}/32`, 'dev', 'lo');
    }
    // The test's namespace to each host: 10.S.(10+i).1 here, .2 there.
    for (let i = 0; i < size; i++) {
      const here = `hr${tag}${i}`;
      const there = `hh${tag}${i}`;
      ip('link', 'add', here, 'type', 'veth', 'peer', 'name', there);
      ip('link', 'set', there, 'netns', ns(i));
      ip('addr', 'add', `10.${s}.${10 + i}.1/24`, 'dev', here);
      ip('link', 'set', here, 'up');
      ip('-n', ns(i), 'addr', 'add', `10.${s}.${10 + i}.2/24`, 'dev', there);
      ip('-n', ns(i), 'link', 'set', there, 'up');
      const routes = [['route', 'replace', `${address(i)}/32`, 'dev', here]];
      for (const r of routes) ip(...r);
      links.push({ a: 'root', b: i, ifA: here, ifB: there, routes });
    }
    // Host to host, a direct link per pair.
    for (let i = 0; i < size; i++) {
      for (let j = i + 1; j < size; j++) {
        const ifI = `hm${tag}${i}${j}`;
        const ifJ = `hm${tag}${j}${i}`;
        ip('link', 'add', ifI, 'netns', ns(i), 'type', 'veth', 'peer', 'name', ifJ, 'netns', ns(j));
        ip('-n', ns(i), 'addr', 'add', `10.${s}.${20 + i * 8 + j}.1/24`, 'dev', ifI);
        ip('-n', ns(j), 'addr', 'add', `10.${s}.${20 + i * 8 + j}.2/24`, 'dev', ifJ);
        ip('-n', ns(i), 'link', 'set', ifI, 'up');
        ip('-n', ns(j), 'link', 'set', ifJ, 'up');
        const routes = [
          ['-n', ns(i), 'route', 'replace', `${address(j)}/32`, 'dev', ifI],
          ['-n', ns(j), 'route', 'replace', `${address(i)}/32`, 'dev', ifJ],
        ];
        for (const r of routes) ip(...r);
        links.push({ a: i, b: j, ifA: ifI, ifB: ifJ, routes });
      }
    }
  } catch (err) {
    teardown();
    cleanups.delete(teardown);
    throw err;
  }

  const hosts: NatsHost[] = Array.from({ length: size }, (_, i) => {
    const forwarded = new Set<number>();
    let isCut = false;
    const setLinks = (state: 'up' | 'down') => {
      for (const l of links) {
        if (l.b === i && l.a === 'root') ip('link', 'set', l.ifA, state);
        else if (l.a === i) ip('-n', ns(i), 'link', 'set', l.ifA, state);
        else if (l.b === i) ip('-n', ns(i), 'link', 'set', l.ifB, state);
        else continue;
        if (state === 'up') for (const r of l.routes) ip(...r);
      }
    };
    return {
      namespace: ns(i),
      command: (argv) => ['ip', 'netns', 'exec', ns(i), ...argv],
      get isCut() {
        return isCut;
      },
      async forward(port) {
        if (forwarded.has(port)) return;
        forwarded.add(port);
        const gateway = `10.${s}.${10 + i}.1`;
        // Here: the link's address to the loopback port. There: the host's loopback to the link.
        relays.add(await relay({ host: gateway, port }, { host: '127.0.0.1', port }));
        const child = spawn('ip', ['netns', 'exec', ns(i), process.execPath, '-e', RELAY_SCRIPT, '127.0.0.1', String(port), gateway, String(port)], { stdio: 'ignore' });
        live.add(child);
        relayProcesses.add(child);
        child.once('exit', () => {
          live.delete(child);
          relayProcesses.delete(child);
        });
        await waitInside(ns(i), port, readyTimeoutMs);
      },
      cut() {
        setLinks('down');
        isCut = true;
      },
      heal() {
        setLinks('up');
        isCut = false;
      },
    };
  });

  const members: NatsClusterMember[] = Array.from({ length: size }, (_, i) => {
    const name = `herald-m${i}`;
    const memberDir = join(dir, name);
    const storeDir = join(memberDir, 'jetstream');
    const logPath = join(memberDir, 'nats-server.log');
    const configPath = join(memberDir, 'nats-server.conf');
    mkdirSync(memberDir, { recursive: true });
    const routes = Array.from({ length: size }, (_, j) => j)
      .filter((j) => j !== i)
      .map((j) => `nats-route://${address(j)}:${ROUTE_PORT}`);
    writeFileSync(
      configPath,
      [
        `server_name: ${name}`,
        `listen: 0.0.0.0:${CLIENT_PORT}`,
        `client_advertise: "${address(i)}:${CLIENT_PORT}"`,
        `http: 0.0.0.0:${MONITOR_PORT}`,
        `jetstream { store_dir: "${storeDir}" }`,
        `cluster {`,
        `  name: herald`,
        `  listen: 0.0.0.0:${ROUTE_PORT}`,
        `  advertise: "${address(i)}:${ROUTE_PORT}"`,
        `  routes: [${routes.map((r) => `"${r}"`).join(', ')}]`,
        `}`,
        '',
      ].join('\n'),
    );
    let child: ChildProcess | undefined;
    const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
    const signal = async (sig: NodeJS.Signals) => {
      const c = child;
      if (!c) return;
      c.kill(sig);
      await exited(c);
    };
    return {
      index: i,
      name,
      url: `nats://${address(i)}:${CLIENT_PORT}`,
      storeDir,
      logPath,
      host: hosts[i]!,
      running: () => child !== undefined,
      async start() {
        if (child) return;
        const log = createWriteStream(logPath, { flags: 'a' });
        // `ip netns exec` execs the server: the pid is nats-server's, so signals reach it.
        const c = spawn('ip', ['netns', 'exec', ns(i), binary, '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
        c.stdout?.pipe(log);
        c.stderr?.pipe(log);
        live.add(c);
        c.once('exit', () => {
          live.delete(c);
          if (child === c) child = undefined;
        });
        child = c;
        if (!hosts[i]!.isCut) await waitForPort(CLIENT_PORT, readyTimeoutMs, address(i));
      },
      stop: () => signal('SIGTERM'),
      kill: () => signal('SIGKILL'),
      wipeStore() {
        if (child) throw new Error(`${name} is running: stop it before wiping its store`);
        rmSync(storeDir, { recursive: true, force: true });
      },
    };
  });

  const monitor = (i: number, path: string) => fetch(`http://${address(i)}:${MONITOR_PORT}${path}`, { signal: AbortSignal.timeout(2_000) });

  const cluster: NatsCluster = {
    members,
    urls: members.map((m) => m.url),
    member(serverName) {
      const m = members.find((x) => x.name === serverName);
      if (!m) throw new Error(`no member named ${serverName}`);
      return m;
    },
    async streamLeader(stream) {
      const deadline = Date.now() + readyTimeoutMs;
      for (;;) {
        for (const m of members) {
          if (!m.running() || m.host.isCut) continue;
          try {
            const jsz = (await (await monitor(m.index, '/jsz?accounts=true&streams=true')).json()) as { account_details?: { stream_detail?: { name: string; cluster?: { leader?: string } }[] }[] };
            for (const account of jsz.account_details ?? []) {
              const leader = account.stream_detail?.find((d) => d.name === stream)?.cluster?.leader;
              if (leader) return leader;
            }
          } catch {
            // That member is restarting: ask another.
          }
        }
        if (Date.now() > deadline) throw new Error(`no member knows a leader of stream ${stream} after ${readyTimeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stepDown(stream) {
      const leader = await cluster.streamLeader(stream);
      const reachable = members.filter((m) => m.running() && !m.host.isCut).map((m) => m.url);
      const nc = await connect({ servers: reachable, timeout: 5_000 });
      try {
        // JetStream's own API (no client wraps it): an empty request, a JSON answer with `success` or `error`.
        const answer = (await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, undefined, { timeout: 10_000 })).json<{ success?: boolean; error?: { description?: string } }>();
        if (!answer.success) throw new Error(`${stream}'s leader ${leader} did not step down: ${answer.error?.description ?? JSON.stringify(answer)}`);
        return leader;
      } finally {
        await nc.close();
      }
    },
    async healthy(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (const m of members) {
        if (!m.running() || m.host.isCut) continue;
        for (;;) {
          const ok = await monitor(m.index, '/healthz').then((r) => r.ok, () => false);
          if (ok) break;
          if (Date.now() > deadline) throw new Error(`${m.name} not healthy after ${timeoutMs} ms (log: ${m.logPath})`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    async stop() {
      for (const h of hosts) if (h.isCut) h.heal();
      await Promise.all(members.map((m) => m.stop()));
      teardown();
      cleanups.delete(teardown);
      if (!process.env.HERALD_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(members.map((m) => m.start()));
    await cluster.healthy(readyTimeoutMs);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** A TCP relay of the test's own process: listens on `from`, pipes each connection to `to`. */
function relay(from: { host: string; port: number }, to: { host: string; port: number }): Promise<Server> {
  const server = createServer((socket) => {
    const upstream = tcpConnect(to);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(from.port, from.host, () => resolve(server));
  });
}

/** The same relay as a process inside a host: `node -e RELAY_SCRIPT listenHost listenPort toHost toPort`. */
const RELAY_SCRIPT = `
const net = require('node:net');
const [lh, lp, th, tp] = process.argv.slice(1);
net.createServer((s) => {
  const u = net.connect({ host: th, port: Number(tp) });
  s.pipe(u).pipe(s);
  s.on('error', () => u.destroy());
  u.on('error', () => s.destroy());
}).listen(Number(lp), lh);
`;

/** Waits until something listens on 127.0.0.1:port inside the namespace. */
async function waitInside(namespace: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      execFileSync('ip', ['netns', 'exec', namespace, process.execPath, '-e', `require('node:net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`], { stdio: 'ignore' });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the relay of port ${port} in ${namespace} does not listen after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
