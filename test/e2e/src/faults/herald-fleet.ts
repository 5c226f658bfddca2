import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { killedOnExit } from '@herald/test-harness';
import type { Random } from './random.ts';

const main = fileURLToPath(new URL('../../../../core/cli/src/main.ts', import.meta.url));
const TAIL_LINES = 60;

// A test that times out must not leave Herald processes behind.
const children = killedOnExit();

export type Role = 'source' | 'evaluator' | 'sink' | 'state';

/** One `herald run` OS process. */
export interface Member {
  /** `<group>#<n>`, e.g. `sink#3`. */
  readonly id: string;
  readonly group: string;
  readonly pid: number;
  readonly logFile: string;
  /** The cluster host (network namespace) it runs in; undefined: the test's own. */
  readonly host: number | undefined;
  running(): boolean;
  /** SIGKILL, as a crash would (or SIGTERM: a clean stop, as a rolling update's); resolves once the process is gone. */
  kill(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
}

export interface Placement {
  host: number;
  wrap(argv: readonly string[]): string[];
}

export interface UnexpectedExit {
  member: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  logTail: string;
}

/** Log lines at level error or fatal, with the member that wrote them. */
export interface LoggedProblem {
  member: string;
  line: string;
}

export interface Fleet {
  /**
   * Starts a process running `roles` in `group` and waits until it reports running; with `on`, inside a
   * cluster host (`wrap` turns the command line into one run there).
   */
  start(group: string, roles: readonly Role[] | 'all', on?: Placement): Promise<Member>;
  live(group?: string): Member[];
  /** SIGKILLs (or SIGTERMs) one live member of the group (of those `where` accepts) chosen at random (none live: undefined). */
  killOne(group: string, random: Random, where?: (m: Member) => boolean, signal?: 'SIGKILL' | 'SIGTERM'): Promise<Member | undefined>;
  /** Processes that ended without the test asking them to. */
  readonly unexpectedExits: readonly UnexpectedExit[];
  readonly problems: readonly LoggedProblem[];
  /** How many processes were SIGKILLed (or SIGTERMed) by the test. */
  readonly kills: number;
  /** SIGKILLs everything still running. */
  killAll(): Promise<void>;
}

/**
 * Herald processes of one installation (one herald.yaml), started with `herald run --role …` as an operator
 * would, each logging to a file of its own under `dir`. Exits the test did not cause are recorded.
 */
export function heraldFleet(options: { dir: string; config: Record<string, unknown>; env: NodeJS.ProcessEnv }): Fleet {
  mkdirSync(options.dir, { recursive: true });
  const configPath = join(options.dir, 'herald.yaml');
  writeFileSync(configPath, JSON.stringify(options.config, null, 2));
  const members: (Member & { expected: boolean })[] = [];
  const unexpectedExits: UnexpectedExit[] = [];
  const problems: LoggedProblem[] = [];
  const counters = new Map<string, number>();
  let kills = 0;

  async function start(group: string, roles: readonly Role[] | 'all', on?: Placement): Promise<Member> {
    const n = (counters.get(group) ?? 0) + 1;
    counters.set(group, n);
    const id = `${group}#${n}`;
    const logFile = join(options.dir, `${group}-${n}.log`);
    const log = createWriteStream(logFile);
    const argv = [process.execPath, '--conditions=herald-source', main, 'run', '-c', configPath, '-o', 'json', ...(roles === 'all' ? [] : ['--role', roles.join(',')])];
    const [command, ...args] = on ? on.wrap(argv) : argv;
    const child = spawn(command!, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let partial = '';
    const tail: string[] = [];
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      log.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      log.write(d);
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        if (line.includes('"level":"error"') || line.includes('"level":"fatal"')) problems.push({ member: id, line });
      }
    });
    const exited = new Promise<void>((resolve) =>
      child.on('exit', (code, signal) => {
        children.delete(child);
        log.end();
        if (!member.expected) unexpectedExits.push({ member: id, code, signal, logTail: [...tail, partial].join('\n') });
        resolve();
      }),
    );
    const member = {
      id,
      group,
      pid: child.pid!,
      logFile,
      host: on?.host,
      expected: false,
      running: () => child.exitCode === null && child.signalCode === null,
      async kill(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL') {
        member.expected = true;
        if (member.running()) child.kill(signal);
        await exited;
      },
    };
    members.push(member);
    const deadline = Date.now() + 120_000;
    while (!out.includes('"event":"running"')) {
      if (!member.running() || Date.now() > deadline) {
        await member.kill();
        throw new Error(`herald ${id} (${roles === 'all' ? 'all roles' : roles.join(',')}) did not start; its log ${logFile} ends with:\n${tail.slice(-20).join('\n')}`);
      }
      await delay(50);
    }
    return member;
  }

  return {
    start,
    live: (group) => members.filter((m) => m.running() && !m.expected && (group === undefined || m.group === group)),
    async killOne(group, random, where, signal) {
      const candidates = members.filter((m) => m.group === group && m.running() && !m.expected && (where?.(m) ?? true));
      if (candidates.length === 0) return undefined;
      const victim = random.pick(candidates);
      kills++;
      await victim.kill(signal);
      return victim;
    },
    unexpectedExits,
    problems,
    get kills() {
      return kills;
    },
    async killAll() {
      await Promise.all(members.map((m) => m.kill()));
    },
  };
}
