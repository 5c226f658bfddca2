// `scripts/dev demo`: the reference scenario end to end on real parts. A real nats-server and a real
// kube-apiserver start on loopback ports; a small webhook receiver listens; Herald runs all its roles in one
// process (`herald run`). The seed's ConfigMap is applied as it is (only the webhook URL points at the
// receiver) with an annotated Pod; the Pod becomes Running and the webhook hears about it, once.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { startControlPlane, startNats } from '@herald/test-harness';

const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (line: string) => say(`\n▶ ${line}`);
const dir = mkdtempSync(join(tmpdir(), 'herald-demo-'));
const logFile = join(dir, 'herald.log');
const seed = parseAllDocuments(readFileSync('test/fixtures/reference-scenario.yaml', 'utf8')).map((d) => d.toJS() as { kind: string });
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const notifiedKey = 'notified.notifications.argoproj.io';

// A webhook receiver: logs every request it gets.
const received: { method: string; path: string; body: string; at: number; key: string }[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    received.push({ method: req.method ?? '', path: req.url ?? '', body, at: performance.now(), key: String(req.headers['idempotency-key'] ?? '') });
    res.end('ok');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

step('starting nats-server (JetStream) and kube-apiserver with etcd, on loopback ports');
const [nats, cp] = await Promise.all([startNats(), startControlPlane()]);
say(`  nats-server     ${nats.url}`);
say(`  kube-apiserver  ${cp.server}   (kubeconfig ${cp.adminKubeconfigPath})`);
say(`  webhook         ${receiverUrl}/webhook`);
const core = cp.adminKubeConfig.makeApiClient(CoreV1Api);

let herald: ReturnType<typeof spawn> | undefined;
let failed = false;
try {
  step("applying the seed's ConfigMap (test/fixtures/reference-scenario.yaml), webhook URL pointed at the receiver");
  const cm = seed.find((d) => d.kind === 'ConfigMap') as V1ConfigMap;
  cm.data = Object.fromEntries(Object.entries(cm.data!).map(([k, v]) => [k, v.replace('http://webhook.default:8080', receiverUrl)]));
  await core.createNamespacedConfigMap({ namespace: 'default', body: cm });
  for (const [key, value] of Object.entries(cm.data)) say(`  ${key}:\n${value.replace(/^/gm, '      ').trimEnd()}`);

  step('starting Herald: herald run (source, evaluator, sink and state roles in one process)');
  const configPath = join(dir, 'herald.yaml');
  writeFileSync(
    configPath,
    [
      'nats:',
      `  servers: [${nats.url}]`,
      'notifications:',
      '  configMap: pod-notifications-cm',
      '  namespace: default',
      'plugins:',
      '  - name: "@herald/source-kubernetes"',
      '    options: { resources: [{ version: v1, resource: pods, kind: Pod }] }',
      '  - name: "@herald/sink-webhook"',
      '',
    ].join('\n'),
  );
  let out = '';
  herald = spawn(process.execPath, ['--conditions=herald-source', 'core/cli/src/main.ts', 'run', '-c', configPath, '-o', 'json'], { env: { ...process.env, KUBECONFIG: cp.adminKubeconfigPath }, stdio: ['ignore', 'pipe', 'pipe'] });
  herald.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  herald.stderr!.pipe(createWriteStream(logFile));
  await until(() => out.includes('"event":"running"'), 'Herald to start', 60_000);
  say(`  running; config ${configPath}, logs ${logFile}`);

  step('creating the annotated Pod (Pending: no kubelet here)');
  const seedPod = seed.find((d) => d.kind === 'Pod') as V1Pod;
  const name = seedPod.metadata!.name!;
  await core.createNamespacedPod({ namespace: 'default', body: seedPod });
  say(`  pod/${name}  notifications.argoproj.io/subscribe.on-pod-ready.webhook: ""`);
  await delay(1_500);
  say(`  requests received so far: ${received.length}`);

  step(`patching pod/${name} status to Running`);
  const patchedAt = performance.now();
  await setPhase(name, 'Running');
  await until(() => received.length >= 1, 'the webhook request', 30_000);
  const first = received[0]!;
  say(`  the receiver got:  ${first.method} ${first.path}  body=${JSON.stringify(first.body)}`);
  say(`  Idempotency-Key:   ${first.key}`);
  say(`  status patch → webhook: ${(first.at - patchedAt).toFixed(0)} ms`);
  const annotation = await until(async () => (await core.readNamespacedPod({ name, namespace: 'default' })).metadata?.annotations?.[notifiedKey], 'the notified annotation', 30_000);
  say(`  the Pod now carries  ${notifiedKey}: '${annotation}'`);

  step('changing the Pod again (a label): the condition is still true, so nothing is resent');
  await core.patchNamespacedPod({ name, namespace: 'default', body: { metadata: { labels: { demo: 'touched' } } } }, mergePatch);
  await delay(2_000);
  say(`  requests received: ${received.length} (still one: "already notified")`);
  if (received.length !== 1) throw new Error(`expected 1 request, got ${received.length}`);

  step('Pending, then Running again: false → true fires again');
  await setPhase(name, 'Pending');
  await until(async () => !(await core.readNamespacedPod({ name, namespace: 'default' })).metadata?.annotations?.[notifiedKey], 'the claim to be cleared', 30_000);
  say('  Pending: the condition is false, the claim and its annotation entry are gone');
  await setPhase(name, 'Running');
  await until(() => received.length >= 2, 'the second request', 30_000);
  const second = received[1]!;
  say(`  the receiver got:  ${second.method} ${second.path}  body=${JSON.stringify(second.body)}  (Idempotency-Key ${second.key})`);
  say(`\n✔ the webhook heard "${first.body.trim()}" exactly once per time the Pod became Running.`);
} catch (err) {
  failed = true;
  say(`\n✘ ${(err as Error).message}\n  Herald's log: ${logFile}`);
} finally {
  step('cleaning up');
  if (herald && herald.exitCode === null) {
    herald.kill('SIGTERM');
    await new Promise((r) => herald!.once('exit', r));
  }
  await Promise.all([cp.stop(), nats.stop(), new Promise((r) => receiver.close(r))]);
  say('  stopped Herald, kube-apiserver, nats-server and the receiver');
}
process.exit(failed ? 1 : 0);

async function setPhase(name: string, phase: string): Promise<void> {
  await core.patchNamespacedPodStatus({ name, namespace: 'default', body: { status: { phase } } }, mergePatch);
}

async function until<T>(probe: () => T | Promise<T>, what: string, timeoutMs: number): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}
