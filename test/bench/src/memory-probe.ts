/**
 * `node --conditions=herald-source test/bench/src/memory-probe.ts`: where a watched object's memory goes in
 * `herald run`. One kube-apiserver; for each count in PROBE_COUNTS (default `1000,8000`) that many Pending Pods
 * (the seed ConfigMap's subscription, nothing to send) and a fresh `herald run` (the bundle, with the image's
 * node flags and GLIBC_TUNABLES) on a fresh nats-server, so that every Pod is listed and evaluated by the
 * start. Once Herald has been quiet for 3 s and then PROBE_WAIT_S more (default 35: the idle release hands back
 * the heap after 30 s quiet), into PROBE_OUT/<count>/: `status.txt` (/proc status and smaps_rollup),
 * `smaps.txt`, and a V8 heap snapshot (`--heapsnapshot-signal`; PROBE_SNAPSHOT=0 skips it). With PROBE_MALLOC=1
 * (needs gdb), glibc's `malloc_stats()` (printed to stdout: per arena, bytes held and bytes in use) and RSS
 * before and after `malloc_trim(0)`, with `smaps-trimmed.txt`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, startNats } from '@herald/test-harness';
import { imageEnv } from './image-env.ts';
import { buildBundle, createPendingPods, heraldRunConfig, seededNamespace, untilQuiet } from './pending-pods.ts';

const counts = (process.env.PROBE_COUNTS ?? '1000,8000').split(',').map(Number);
const outDir = process.env.PROBE_OUT ?? join(tmpdir(), 'herald-memory-probe');
const waitMs = Number(process.env.PROBE_WAIT_S ?? 35) * 1000;
const out = (line: string) => process.stdout.write(`${line}\n`);
const main = buildBundle();
const { cp, core, namespace } = await seededNamespace('probe');
const rssLine = (pid: number) => /VmRSS.*/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![0].replace(/\s+/g, ' ');
let created = 0;
try {
  for (const pods of counts) {
    await createPendingPods(core, namespace, created, pods);
    created = pods;
    const nats = await startNats();
    const dir = mkdtempSync(join(tmpdir(), 'herald-probe-'));
    const port = await freePort();
    const config = heraldRunConfig({ natsUrl: nats.url, prefix: 'PROBE', namespace, port });
    writeFileSync(join(dir, 'herald.yaml'), JSON.stringify(config));
    const into = join(outDir, String(pods));
    mkdirSync(into, { recursive: true });
    const child = spawn(process.execPath, ['--heapsnapshot-signal=SIGUSR2', main, 'run', '-c', join(dir, 'herald.yaml'), '-o', 'json'], {
      cwd: into,
      // The image's node flags and malloc thresholds.
      env: { ...process.env, ...imageEnv(['NODE_OPTIONS', 'GLIBC_TUNABLES']), KUBECONFIG: cp.adminKubeconfigPath, POD_NAMESPACE: namespace },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // Herald logs JSON on stderr; what else lands there (malloc_stats) is the probe's output.
    child.stderr!.on('data', (d: Buffer) => {
      const text = d.toString();
      if (!text.startsWith('{')) process.stdout.write(text);
    });
    const exited = new Promise((r) => child.on('exit', r));
    while (!(await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok) await delay(50);
    await untilQuiet([child.pid!]);
    await delay(waitMs);
    writeFileSync(join(into, 'status.txt'), `${readFileSync(`/proc/${child.pid}/status`, 'utf8')}\n${readFileSync(`/proc/${child.pid}/smaps_rollup`, 'utf8')}`);
    writeFileSync(join(into, 'smaps.txt'), readFileSync(`/proc/${child.pid}/smaps`, 'utf8'));
    out(`${pods} Pods: ${rssLine(child.pid!)}`);
    if (process.env.PROBE_MALLOC === '1') {
      execFileSync('gdb', ['-p', String(child.pid), '-batch', '-ex', 'call (void)malloc_stats()', '-ex', 'call (int)malloc_trim(0)', '-ex', 'call (void)malloc_stats()'], { stdio: 'ignore' });
      await delay(500);
      out(`${pods} Pods, after malloc_trim(0): ${rssLine(child.pid!)}`);
      writeFileSync(join(into, 'smaps-trimmed.txt'), readFileSync(`/proc/${child.pid}/smaps`, 'utf8'));
    }
    if (process.env.PROBE_SNAPSHOT !== '0') {
      child.kill('SIGUSR2');
      // Written once the file stops growing.
      for (let size = -1; ; ) {
        await delay(1000);
        const file = readdirSync(into).find((n) => n.endsWith('.heapsnapshot'));
        const now = file ? statSync(join(into, file)).size : -1;
        if (file && now === size) {
          out(`${pods} Pods: ${join(into, file)}`);
          break;
        }
        size = now;
      }
    }
    child.kill('SIGTERM');
    await exited;
    await nats.stop();
  }
} finally {
  await cp.stop();
}

