import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as fromYaml, stringify as toYaml } from 'yaml';
import { startControlPlane, startNats, testNatsLimits, type ControlPlane, type NatsServer } from '@herald/test-harness';
import { waitForSettled } from '../support/bus-settled.ts';
import { applyHeraldRbac, createConfigMap } from '../support/cluster-setup.ts';
import { runHeraldCli, startHerald, type CliRun, type HeraldProcess } from '../support/herald-process.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

// herald route test, status and replay, run as an operator runs them (separate processes) against a Herald
// whose roles run as separate processes on a real kube-apiserver and nats-server.

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const dir = mkdtempSync(join(tmpdir(), 'herald-operator-cli-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const prefix = 'OPS';

let cp: ControlPlane;
let nats: NatsServer;
let receiver: WebhookReceiver;
let core: CoreV1Api;
let namespace: string;
const heralds = new Map<string, HeraldProcess>();

/** `herald <args>` as its own process, with the kubeconfig and namespace an operator's shell would have. */
const herald = (...args: string[]): Promise<CliRun> => runHeraldCli(args, { KUBECONFIG: cp.adminKubeconfigPath, POD_NAMESPACE: namespace }, dir);

const configData = (url: string, triggers: Record<string, string>): Record<string, string> => ({
  ...Object.fromEntries(Object.entries(triggers).map(([name, phase]) => [`trigger.${name}`, `- when: pod.status.phase == '${phase}'\n  send: [pod-phase]\n`])),
  'template.pod-phase': 'webhook:\n  webhook:\n    method: POST\n    path: /\n    body: "{{.pod.metadata.name}} is {{.pod.status.phase}}"\n',
  'service.webhook.webhook': `url: ${url}\n`,
});
const manifest = (name: string, data: Record<string, string>): V1ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });

const pod = (name: string, triggers: string[]): V1Pod => ({
  metadata: { name, annotations: Object.fromEntries(triggers.map((t) => [`notifications.argoproj.io/subscribe.${t}.webhook`, ''])) },
  spec: { containers: [{ name: 'app', image: 'app' }] },
});
const setPhase = (name: string, phase: string) => core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase } } }, mergePatch);
/** The Pod as the API server has it now, as a file: what `kubectl get pod -o yaml` gives an operator. */
const podFile = async (name: string, phase?: string) => {
  const live = await core.readNamespacedPod({ name, namespace });
  return file(`${name}${phase ? `-${phase}` : ''}.yaml`, toYaml({ apiVersion: 'v1', kind: 'Pod', ...live, status: { ...live.status, ...(phase ? { phase } : {}) } }));
};

let engineConfig: string;
let current: string;
let candidate: string;
const settled = () => waitForSettled(nats.url, [`${prefix}_EVENTS`, `${prefix}_NOTIFICATIONS`, `${prefix}_RESULTS`, `KV_${prefix}_STATE`]);

beforeAll(async () => {
  [cp, nats, receiver] = await Promise.all([startControlPlane(), startNats(), startWebhookReceiver()]);
  core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  namespace = await cp.createNamespace('ops');
  await applyHeraldRbac(cp, namespace);
  // In force: a Pod's Running and Failed phases. The candidate drops Failed and adds Pending.
  const inForce = configData(receiver.url, { 'on-pod-running': 'Running', 'on-pod-failed': 'Failed' });
  await createConfigMap(cp, manifest('herald-notifications-cm', inForce));
  current = file('current.yaml', toYaml(manifest('herald-notifications-cm', inForce)));
  candidate = file('candidate.yaml', toYaml(manifest('herald-notifications-cm', configData(receiver.url, { 'on-pod-running': 'Running', 'on-pod-pending': 'Pending' }))));
  const config = {
    nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: prefix.toLowerCase(), streamPrefix: prefix },
    notifications: { namespace },
    plugins: [
      { name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace] } },
      { name: '@herald/sink-webhook' },
    ],
  };
  engineConfig = file('herald.yaml', JSON.stringify(config));
  // One process per role, as a split deployment runs them.
  for (const role of ['source', 'evaluator', 'state', 'sink']) {
    heralds.set(role, await startHerald(config, { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: namespace }, ['--role', role]));
  }
});

afterAll(async () => {
  await Promise.all([...heralds.values()].map((h) => h.kill()));
  await Promise.all([cp?.stop(), nats?.stop(), receiver?.close()]);
});

describe('herald route test, status and replay on a running Herald (real kube-apiserver and nats-server)', () => {
  it('route test: who a Pod notifies, with the dedup state from the state bucket; --expect passes, and fails on a mismatch', async () => {
    // web-1 runs and is notified; web-2 runs too, but only subscribes to on-pod-failed.
    await core.createNamespacedPod({ namespace, body: pod('web-1', ['on-pod-running', 'on-pod-pending']) });
    await core.createNamespacedPod({ namespace, body: pod('web-2', ['on-pod-failed']) });
    await setPhase('web-1', 'Running');
    await setPhase('web-2', 'Running');
    await receiver.waitFor(1, (r) => r.body === 'web-1 is Running');
    await settled();

    // web-1 is already notified (its claim in the bucket): nobody would be notified now.
    const notified = await herald('route', 'test', await podFile('web-1'), '--config-map', current, '-c', engineConfig, '--expect', 'webhook:');
    expect(notified.code).toBe(1);
    expect(notified.stdout).toMatch(/^on-pod-running\s+webhook:\s+webhook\s+notifications\.argoproj\.io\/subscribe\.on-pod-running\.webhook$/m);
    expect(notified.stdout).toMatch(/^on-pod-running\s+\[0\]\.\S+\s+webhook:\s+sent \S+ \(bucket\)\s+already notified$/m);
    expect(notified.stdout).toContain(`dedup state: from the state bucket (${prefix}_STATE at `);
    expect(notified.stdout).toContain('would notify: nobody\n');
    expect(notified.stdout).toContain('expected: webhook:: MISMATCH; not notified: webhook:\n');
    expect(notified.stdout).toContain('warning: trigger "on-pod-pending" is not defined in the config\n');

    // web-2 as it would be once Failed: its on-pod-failed condition holds and nothing holds its key.
    const failing = await podFile('web-2', 'Failed');
    const passes = await herald('route', 'test', failing, '--config-map', current, '-c', engineConfig, '--expect', 'webhook:', '-o', 'json');
    expect(passes).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(passes.stdout);
    expect(report).toMatchObject({
      object: { kind: 'Pod', namespace, name: 'web-2', uid: expect.any(String) },
      subscriptions: [{ trigger: 'on-pod-failed', destination: 'webhook:', origin: 'notifications.argoproj.io/subscribe.on-pod-failed.webhook' }],
      conditions: [{ trigger: 'on-pod-failed', triggered: true }],
      decisions: [{ trigger: 'on-pod-failed', destination: 'webhook:', notified: null, send: true }],
      destinations: ['webhook:'],
      dedup: { from: 'bucket' },
      expect: { ok: true, missing: [], unexpected: [] },
    });
    const mismatch = await herald('route', 'test', failing, '--config-map', current, '-c', engineConfig, '--expect', 'webhook:,slack:alerts');
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toContain('expected: slack:alerts, webhook:: MISMATCH; not notified: slack:alerts\n');
    // A bad --expect is a usage error.
    expect((await herald('route', 'test', failing, '--config-map', current, '--expect', 'webhook')).code).toBe(2);
  });

  it('status: every role and replica, the source leader, a backlog on the stopped sink\'s durable and a dead letter', async () => {
    // The sink stops: what the evaluator publishes from now on waits on the sink's durable.
    expect(await heralds.get('sink')!.stop()).toBe(0);
    heralds.delete('sink');
    await setPhase('web-2', 'Failed');
    // A message no evaluator can read is dead-lettered.
    const nc = await connect({ servers: nats.url });
    await nc.request(`${prefix.toLowerCase()}.events.3`, '{"specversion": "1.0", "id": ', { timeout: 5_000 });
    await nc.close();

    interface Process {
      alive: boolean;
      roles: string[];
      notificationConfig: unknown;
    }
    let report = {} as { nats: unknown; processes: Process[]; durables: { stream: string; lag: number }[]; deadLetters: { total: number }; sourceLeader: unknown };
    for (const deadline = Date.now() + 60_000; ; await delay(200)) {
      const run = await herald('status', '-c', engineConfig, '-o', 'json');
      expect(run).toMatchObject({ code: 0, stderr: '' });
      report = JSON.parse(run.stdout);
      const backlog = report.durables.find((d) => d.stream === `${prefix}_NOTIFICATIONS`)?.lag ?? 0;
      if (backlog > 0 && report.deadLetters.total > 0) break;
      if (Date.now() > deadline) throw new Error(`no backlog and dead letter in time: ${run.stdout}`);
    }
    expect(report.nats).toMatchObject({ url: expect.stringContaining('127.0.0.1') });
    const alive = report.processes.filter((p) => p.alive);
    expect(alive.map((p) => p.roles.join())).toEqual(['evaluator', 'source', 'state']);
    for (const p of alive) expect(p).toMatchObject({ pid: heralds.get(p.roles[0]!)!.pid, ready: true });
    expect(alive.find((p) => p.roles[0] === 'source')).toMatchObject({ sourceLeader: true });
    expect(alive.find((p) => p.roles[0] === 'evaluator')!.notificationConfig).toMatchObject({ origin: `configmap ${namespace}/herald-notifications-cm`, generation: 1, digest: expect.stringMatching(/^[0-9a-f]{12}$/), triggers: 2 });
    expect(report.sourceLeader).toMatchObject({ lease: `${namespace}/herald-source`, holder: expect.stringContaining(`_${heralds.get('source')!.pid}_`) });
    expect(report.durables).toContainEqual(expect.objectContaining({ durable: 'herald-evaluator', stream: `${prefix}_EVENTS`, consumers: 16, lag: 0 }));
    expect(report.deadLetters).toEqual({ total: 1, byChannel: { events: 1 } });

    const yaml = await herald('status', '-c', engineConfig, '-o', 'yaml');
    expect(yaml.code).toBe(0);
    expect(fromYaml(yaml.stdout)).toMatchObject({ deadLetters: { total: 1, byChannel: { events: 1 } }, sourceLeader: { lease: `${namespace}/herald-source` } });

    const text = await herald('status', '-c', engineConfig);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Processes:\nPROCESS\s+ROLES\s+STATE\s+READY\s+UP\s+CONFIG\s+LEADER\s+PLUGINS\n/m);
    expect(text.stdout).toMatch(/^\S+\s+source\s+running\s+yes\s+\S+\s+-\s+yes\s+/m);
    expect(text.stdout).toMatch(/^herald-sink-webhook\s+OPS_NOTIFICATIONS\s+1\s+[1-9]\d*\s+/m);
    expect(text.stdout).toContain('Dead letters: 1 (events: 1; see herald dlq list)\n');
  });

  it('replay: the recorded events through a candidate that adds on-pod-pending and drops on-pod-failed; the diff names both, and nothing is sent or claimed', async () => {
    const before = receiver.requests.length;
    const run = await herald('replay', '--since', '1h', '--config-map', candidate, '--current', current, '-c', engineConfig, '-o', 'json');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ truncated: false, unreadable: [{ problem: expect.stringMatching(/^not a JSON document/) }], sends: { current: 2, candidate: 2 } });
    expect(report.added).toEqual([{ trigger: 'on-pod-pending', destination: 'webhook:', count: 1, objects: [`Pod ${namespace}/web-1`], events: [expect.any(Number)] }]);
    expect(report.removed).toEqual([{ trigger: 'on-pod-failed', destination: 'webhook:', count: 1, objects: [`Pod ${namespace}/web-2`], events: [expect.any(Number)] }]);

    const text = await herald('replay', '--since', '1h', '--config-map', candidate, '--current', current, '-c', engineConfig);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Would be sent, and was not \(candidate only\):\nTRIGGER\s+DESTINATION\s+COUNT\s+OBJECTS\non-pod-pending\s+webhook:\s+1\s+Pod ops-\S+\/web-1\n/m);
    expect(text.stdout).toMatch(/^Was sent, and would not be \(current only\):\nTRIGGER\s+DESTINATION\s+COUNT\s+OBJECTS\non-pod-failed\s+webhook:\s+1\s+Pod ops-\S+\/web-2\n/m);
    // The same replay twice (as YAML, the config in force read from the cluster this time, as `herald run`
    // reads it): the same diff, so nothing was claimed by the first.
    expect(fromYaml((await herald('replay', '--since', '1h', '--config-map', candidate, '-c', engineConfig, '-o', 'yaml')).stdout)).toEqual({ ...report, window: expect.any(Object) });
    expect(receiver.requests.length).toBe(before);
    expect((await herald('replay', '--config-map', candidate, '-c', engineConfig)).code).toBe(2);
  });
});
