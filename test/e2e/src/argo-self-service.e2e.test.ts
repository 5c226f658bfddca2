import { spawn } from 'node:child_process';
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { testNatsLimits, toolPath } from '@herald/test-harness';
import { startHerald } from './support/herald-process.ts';
import { conditionKey, mergePatch, subscribe, waitUntil } from './support/scenario.ts';
import { useScenarioWorld } from './support/scenario-world.ts';
import { waitForSettled } from './support/bus-settled.ts';

const world = useScenarioWorld();
const ready = "pod.status.phase in ['Running']";
const key = conditionKey(0, ready);

/** The same namespaces, configs and Pods for one engine: Herald's (or Argo's) own config in `home`, a team's in `team`. */
async function setUp(tag: string) {
  const core = world.cp.adminKubeConfig.makeApiClient(CoreV1Api);
  const [home, team, other] = await Promise.all(['home', 'team', 'other'].map((n) => world.cp.createNamespace(`argo-ss-${tag}-${n}`)));
  const url = `${world.receiver.url}/${tag}`;
  await core.createNamespacedConfigMap({
    namespace: home!,
    body: {
      metadata: { name: 'herald-notifications-cm' },
      data: {
        'trigger.on-pod-ready': `- when: ${ready}\n  send: [pod-ready]\n`,
        'template.pod-ready': 'webhook:\n  home: {method: POST, body: "home {{.pod.metadata.name}}"}\n',
        'service.webhook.home': `url: ${url}/home\n`,
        subscriptions: '- recipients: ["home:"]\n  triggers: [on-pod-ready]\n  selector: env=prod\n',
      },
    },
  });
  await core.createNamespacedSecret({ namespace: team!, body: { metadata: { name: 'herald-notifications-secret' }, stringData: { 'team-token': 'team-secret' } } });
  await core.createNamespacedConfigMap({
    namespace: team!,
    body: {
      metadata: { name: 'herald-notifications-cm' },
      data: {
        'trigger.on-team-ready': `- when: ${ready}\n  send: [team-ready]\n`,
        'trigger.on-pod-ready': `- when: ${ready}\n  send: [team-ready]\n`,
        'trigger.on-once': `- when: ${ready}\n  oncePer: pod.metadata.name\n  send: [team-ready]\n`,
        'template.team-ready': 'webhook:\n  team: {method: POST, body: "team {{.pod.metadata.name}}"}\n',
        'service.webhook.team': `url: ${url}/team\nheaders:\n- name: X-Token\n  value: $team-token\n`,
        defaultTriggers: '- on-team-ready\n',
      },
    },
  });
  const pod = (namespace: string, name: string, annotations: Record<string, string>, labels: Record<string, string> = {}) =>
    core.createNamespacedPod({ namespace, body: { metadata: { name, annotations, labels }, spec: { containers: [{ name: 'app', image: 'app' }] } } });
  await pod(team!, 'a', { [subscribe('on-team-ready.team')]: 'r1', [subscribe('on-pod-ready.home')]: '', [subscribe('on-pod-ready.team')]: '', [subscribe('on-once.team')]: '', [subscribe('team')]: 'dflt' }, { env: 'prod' });
  await pod(other!, 'b', { [subscribe('on-team-ready.team')]: '', [subscribe('on-pod-ready.home')]: '' });
  await pod(home!, 'c', { [subscribe('on-pod-ready.home')]: '', [subscribe('on-pod-ready.team')]: '' });
  const pods = [
    [team!, 'a'],
    [other!, 'b'],
    [home!, 'c'],
  ] as const;
  const placeholders = (s: string) => s.replaceAll(home!, 'HOME').replaceAll(team!, 'TEAM').replaceAll(other!, 'OTHER');
  return {
    home: home!,
    namespaces: [home!, team!, other!],
    running: () => Promise.all(pods.map(([namespace, name]) => core.patchNamespacedPodStatus({ namespace, name, body: { status: { phase: 'Running' } } }, mergePatch))),
    /** Every Pod's `notified` keys, `<namespace>/<pod> <key>`, the namespaces as placeholders. */
    async keys(): Promise<string[]> {
      const keys: string[] = [];
      for (const [namespace, name] of pods) {
        const value = (await core.readNamespacedPod({ namespace, name })).metadata?.annotations?.['notified.notifications.argoproj.io'];
        for (const k of Object.keys(value ? (JSON.parse(value) as object) : {})) keys.push(placeholders(`${namespace}/${name} ${k}`));
      }
      return keys.sort();
    },
    requests: () =>
      world.receiver.requests
        .filter((r) => r.path.startsWith(`/${tag}/`))
        .map((r) => `${r.path.slice(tag.length + 1)} ${r.body} token=${String(r.headers['x-token'] ?? '')}`)
        .sort(),
  };
}

/** What both engines must write and send: Argo's keys, each config's subscriptions on their own, each with its Secret. */
const expectedKeys = [
  `HOME/c on-pod-ready:${key}:home:`,
  `OTHER/b on-pod-ready:${key}:home:`,
  `TEAM/a TEAM:on-pod-ready:${key}:team:`,
  `TEAM/a TEAM:on-team-ready:${key}:team:dflt`,
  `TEAM/a TEAM:on-team-ready:${key}:team:r1`,
  `TEAM/a a:TEAM:on-once:${key}:team:`,
  `TEAM/a on-pod-ready:${key}:home:`,
];
const expectedRequests = ['/home home a token=', '/home home b token=', '/home home c token=', ...Array<string>(4).fill('/team team a token=team-secret')];

describe('self-service against Argo’s own engine (test/argo-engine --self-service: notifications-engine as Argo CD v3.6 pins it)', () => {
  it('Herald writes the same notified keys and sends the same requests as Argo’s engine, from the same namespaces’ configs', async () => {
    const argo = await setUp('argo');
    const engine = spawn(
      toolPath('HERALD_ARGO_ENGINE', 'argo-engine', 'argo-engine'),
      ['--kubeconfig', world.cp.adminKubeconfigPath, '--namespace', argo.home, '--configmap', 'herald-notifications-cm', '--secret', 'herald-notifications-secret', '--self-service', '--qps', '100', '--burst', '200'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        engine.stdout.on('data', (d: Buffer) => d.toString().includes('"synced"') && resolve());
        engine.once('exit', (code) => reject(new Error(`argo-engine exited ${code} before it synced`)));
      });
      await argo.running();
      await waitUntil(argo.keys, (keys) => keys.length >= expectedKeys.length, 'Argo’s engine never wrote every key');
      await world.receiver.waitFor(expectedRequests.length, (r) => r.path.startsWith('/argo/'));
    } finally {
      engine.kill('SIGKILL');
    }

    const herald = await setUp('herald');
    const prefix = 'ARGOSS';
    const h = await startHerald(
      {
        nats: { ...testNatsLimits, servers: [world.nats.url], subjectPrefix: prefix.toLowerCase(), streamPrefix: prefix },
        notifications: { namespace: herald.home, selfService: true },
        plugins: [{ name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: herald.namespaces } }, { name: '@herald/sink-webhook' }],
      },
      { KUBECONFIG: world.cp.adminKubeconfigPath },
    );
    try {
      await herald.running();
      await waitUntil(herald.keys, (keys) => keys.length >= expectedKeys.length, 'Herald never wrote every key');
      await waitForSettled(world.nats.url, [`${prefix}_EVENTS`, `${prefix}_NOTIFICATIONS`, `${prefix}_RESULTS`, `KV_${prefix}_STATE`]);
    } finally {
      await h.stop();
    }

    expect(await argo.keys()).toEqual(expectedKeys);
    expect(argo.requests()).toEqual(expectedRequests);
    expect(await herald.keys()).toEqual(await argo.keys());
    expect(herald.requests()).toEqual(argo.requests());
  });
});
