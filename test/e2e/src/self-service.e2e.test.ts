import { readFileSync } from 'node:fs';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { bootFailure, runHeraldCli } from './support/herald-process.ts';
import { conditionKey, mergePatch, subscribe, waitUntil } from './support/scenario.ts';
import { useScenarioWorld } from './support/scenario-world.ts';
import type { ReceivedRequest } from './support/webhook-receiver.ts';

const world = useScenarioWorld();
const ready = "pod.status.phase in ['Running']";
const to = (path: string, name: string) => (r: ReceivedRequest) => r.path === path && r.body.split(' ').includes(name);
const requests = (path: string, name: string) => world.receiver.requests.filter(to(path, name));

/**
 * The self-service grant deploy/rbac/herald-rbac.yaml documents (commented out there), uncommented as a user
 * would, bound to the restricted user `herald run` runs as.
 */
async function grantSelfService(): Promise<void> {
  const text = readFileSync(new URL('../../../deploy/rbac/herald-rbac.yaml', import.meta.url), 'utf8');
  const block = text.slice(text.indexOf('# Self-service notifications'));
  const yaml = block
    .split('\n')
    .filter((line) => line.startsWith('# ') || line === '#')
    .map((line) => line.slice(2))
    .filter((line) => line === '---' || /^[ a-z]/i.test(line));
  const docs = parseAllDocuments(yaml.slice(yaml.indexOf('---')).join('\n'))
    .map((d) => d.toJS() as (KubernetesObject & Record<string, unknown>) | null)
    .filter((d): d is KubernetesObject & Record<string, unknown> => Boolean(d?.kind));
  expect(docs.map((d) => d.kind)).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  const api = KubernetesObjectApi.makeApiClient(world.cp.adminKubeConfig);
  for (const doc of docs) {
    if (doc.subjects) doc.subjects = [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: world.cp.restrictedUser }];
    await api.create(doc);
  }
}

describe('self-service notifications: a namespace’s own ConfigMap and Secret for its objects (real kube-apiserver, NATS, receiver)', () => {
  it('applies a namespace’s config to its objects besides Herald’s own, with its own Secret, Argo’s state keys, and nothing for other namespaces; a trigger edited there reaches its unchanged objects', async () => {
    // The source's namespaces, filled in once they exist (read when Herald starts).
    const source: { namespaces?: string[] } = {};
    const s = await world.scenario({
      prefix: 'SELFSVC',
      data: {
        'trigger.on-pod-ready': `- when: ${ready}\n  send: [pod-ready]\n`,
        'template.pod-ready': 'webhook:\n  home: {method: POST, body: "home {{.pod.metadata.name}}"}\n',
        'service.webhook.home': `url: ${world.receiver.url}/home\nheaders:\n- name: X-Token\n  value: $home-token\n`,
      },
      notifications: { selfService: true },
      source,
    });
    await s.core.createNamespacedSecret({ namespace: s.namespace, body: { metadata: { name: 'herald-notifications-secret' }, stringData: { 'home-token': 'home-secret' } } });
    const teamA = await world.cp.createNamespace('selfsvc-team-a');
    const teamB = await world.cp.createNamespace('selfsvc-team-b');
    await s.core.createNamespacedSecret({ namespace: teamA, body: { metadata: { name: 'herald-notifications-secret' }, stringData: { 'team-token': 'team-a-secret' } } });
    await s.core.createNamespacedConfigMap({
      namespace: teamA,
      body: {
        metadata: { name: 'herald-notifications-cm' },
        data: {
          'trigger.on-team-ready': `- when: ${ready}\n  send: [team-ready]\n`,
          // A trigger of the same name as Herald's own: each config's on its own.
          'trigger.on-pod-ready': `- when: ${ready}\n  send: [team-ready]\n`,
          'template.team-ready': 'webhook:\n  team: {method: POST, body: "team-a {{.pod.metadata.name}}"}\n',
          // Its `$name` references resolve in its own Secret only: Herald's home-token stays as written.
          'service.webhook.team': `url: ${world.receiver.url}/team-a\nheaders:\n- name: X-Token\n  value: $team-token\n- name: X-Home\n  value: $home-token\n`,
          // A broken key is refused alone; the rest of the namespace's config serves.
          'trigger.broken': '- when: pod.status.phase ==\n  send: [team-ready]\n',
        },
      },
    });
    // The same ConfigMap in team-b, but no subscription there uses it: team-a's config must not reach team-b.
    await s.core.createNamespacedConfigMap({ namespace: teamB, body: { metadata: { name: 'other-cm' }, data: {} } });
    // The source watches the three namespaces (the scenario's grant on Pods is cluster-wide).
    source.namespaces = [s.namespace, teamA, teamB];
    // Without the grant, Herald does not boot, and says what it could not read and what to grant.
    expect(await bootFailure(() => s.herald())).toEqual({
      code: 'HERALD_ERR_KERNEL_BOOT',
      message:
        'cannot read the notification secrets named herald-notifications-secret in every namespace: secrets "herald-notifications-secret" is forbidden: ' +
        `User "${world.cp.restrictedUser}" cannot list resource "secrets" in API group "" at the cluster scope (Herald needs get, list and watch on them, in a ClusterRole)`,
    });
    await grantSelfService();
    const herald = await s.herald();

    const pod = (namespace: string, name: string, annotations: Record<string, string>) =>
      s.core.createNamespacedPod({ namespace, body: { metadata: { name, annotations }, spec: { containers: [{ name: 'app', image: 'app' }] } } });
    const running = (namespace: string, name: string) =>
      s.core.patchNamespacedPodStatus({ namespace, name, body: { status: { phase: 'Running' } } }, mergePatch);
    const notified = async (namespace: string, name: string) => {
      const value = (await s.core.readNamespacedPod({ namespace, name })).metadata?.annotations?.['notified.notifications.argoproj.io'];
      return value === undefined ? undefined : Object.keys(JSON.parse(value) as Record<string, number>).sort();
    };

    await pod(teamA, 'api', { [subscribe('on-team-ready.team')]: '', [subscribe('on-pod-ready.home')]: '', [subscribe('on-pod-ready.team')]: '' });
    await pod(teamB, 'api', { [subscribe('on-team-ready.team')]: '', [subscribe('on-pod-ready.home')]: '' });
    await Promise.all([running(teamA, 'api'), running(teamB, 'api')]);

    // team-a's Pod: its namespace's trigger and service (twice: on-team-ready and team-a's own on-pod-ready), and
    // Herald's own on-pod-ready to Herald's home service.
    await world.receiver.waitFor(2, to('/team-a', 'api'));
    await world.receiver.waitFor(2, to('/home', 'api'));
    const teamKeys = [`${teamA}:on-pod-ready:${conditionKey(0, ready)}:team:`, `${teamA}:on-team-ready:${conditionKey(0, ready)}:team:`, `on-pod-ready:${conditionKey(0, ready)}:home:`].sort();
    await waitUntil(() => notified(teamA, 'api'), (keys) => JSON.stringify(keys) === JSON.stringify(teamKeys), 'team-a’s Pod never had the self-service state keys');
    await s.settled();
    const teamA_ = requests('/team-a', 'api');
    expect(teamA_.map((r) => r.body)).toEqual([`team-a api`, `team-a api`]);
    expect(teamA_.map((r) => [r.headers['x-token'], r.headers['x-home']])).toEqual([
      ['team-a-secret', '$home-token'],
      ['team-a-secret', '$home-token'],
    ]);
    // Herald's own config served both namespaces' Pods the same way; team-b has no config of its own.
    const home = requests('/home', 'api');
    expect(home.map((r) => [r.body, r.headers['x-token']])).toEqual([
      ['home api', 'home-secret'],
      ['home api', 'home-secret'],
    ]);
    expect(await notified(teamB, 'api')).toEqual([`on-pod-ready:${conditionKey(0, ready)}:home:`]);
    expect(world.receiver.requests.filter((r) => r.path === '/team-a')).toHaveLength(2);
    expect(await s.deadLetters()).toBe(0);
    // The broken key was refused by name, in team-a's config.
    expect(herald.logs()).toMatch(new RegExp(`configmap ${teamA}/herald-notifications-cm[^\n]*trigger\\.broken|trigger\\.broken[^\n]*configmap ${teamA}/herald-notifications-cm`));
    // `herald status` names the namespaces whose own config is in force (from the processes' heartbeats).
    const selfService = async () => {
      const run = await runHeraldCli(['status', '-c', herald.configPath]);
      return run.stdout.split('\n').find((line) => line.startsWith('Namespaces with their own config'));
    };
    await waitUntil(selfService, (line) => line === `Namespaces with their own config (self-service): 1: ${teamA}`, '`herald status` never named team-a');

    // A trigger edited in team-a's config reaches team-a's Pod, which did not change: every object is published
    // again and evaluated. A changed condition is another condition (its key is the hash of `when`, as Argo's).
    const edited = `${ready} && pod.metadata.name != ''`;
    await s.core.patchNamespacedConfigMap({ namespace: teamA, name: 'herald-notifications-cm', body: { data: { 'trigger.on-team-ready': `- when: ${edited}\n  send: [team-ready]\n` } } }, mergePatch);
    await world.receiver.waitFor(3, to('/team-a', 'api'));
    expect(herald.logs()).toContain(`the notification config changed (${teamA}/trigger.on-team-ready changed)`);
    await s.settled();
    expect(requests('/team-a', 'api')).toHaveLength(3);
    expect(requests('/home', 'api')).toHaveLength(2);

    // Deleted, a namespace's config no longer applies: a new Pod of team-a hears only from Herald's own.
    await s.core.deleteNamespacedConfigMap({ namespace: teamA, name: 'herald-notifications-cm' });
    await waitUntil(async () => herald.logs(), (logs) => logs.includes(`the notification config of namespace ${teamA} was deleted`), 'Herald never saw team-a’s ConfigMap deleted');
    await waitUntil(selfService, (line) => line === 'Namespaces with their own config (self-service): none', '`herald status` still named team-a');
    await pod(teamA, 'after', { [subscribe('on-team-ready.team')]: '', [subscribe('on-pod-ready.home')]: '' });
    await running(teamA, 'after');
    await world.receiver.waitFor(1, to('/home', 'after'));
    await waitUntil(() => notified(teamA, 'after'), (keys) => JSON.stringify(keys) === JSON.stringify([`on-pod-ready:${conditionKey(0, ready)}:home:`]), 'the Pod made after its namespace’s config was deleted was not notified by Herald’s own');
    await s.settled();
    expect(requests('/team-a', 'after')).toEqual([]);
  });
});
