import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { bootFailure, type HeraldProcess } from './support/herald-process.ts';
import { mergePatch, subscribe, waitUntil } from './support/scenario.ts';
import { useScenarioWorld } from './support/scenario-world.ts';

const world = useScenarioWorld();

interface LogLine {
  level: string;
  msg: string;
  errors?: string[];
  [key: string]: unknown;
}
const logLines = (herald: HeraldProcess): LogLine[] =>
  herald
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

const ready = "pod.status.phase in ['Running']";
const config = (body: string) => ({
  'trigger.on-pod-ready': `- when: ${ready}\n  send: [pod-ready]\n`,
  'template.pod-ready': `webhook:\n  hook: {method: POST, body: "${body} {{.pod.metadata.name}}"}\n`,
});

describe('notification config and permissions, end to end (real kube-apiserver, NATS, HTTP receiver; herald run)', () => {
  it('hot reload: a broken part of an edit is refused alone, by key, and keeps its last good version; the rest applies, and a fix takes effect without a restart', async () => {
    const service = { 'service.webhook.hook': `url: ${world.receiver.url}/reload` };
    const s = await world.scenario({ prefix: 'RELOAD', data: { ...config('v1'), ...service } });
    const herald = await s.herald();
    const loaded = () => logLines(herald).filter((l) => l.msg.startsWith('notification config loaded'));
    expect(loaded()).toHaveLength(1);
    const notifyPod = async (name: string) => {
      await s.pod(name, { annotations: { [subscribe('on-pod-ready.hook')]: '' } });
      await s.setPhase(name, 'Running');
      const [request] = await world.receiver.waitFor(1, (r) => r.path === '/reload' && r.body.endsWith(` ${name}`));
      return request!.body;
    };
    const editConfig = (data: Record<string, string | null>) => s.core.patchNamespacedConfigMap({ name: 'herald-notifications-cm', namespace: s.namespace, body: { data } }, mergePatch);

    expect(await notifyPod('first')).toBe('v1 first');

    // The trigger becomes a single mapping instead of a list, a new key is not YAML, and the template changes:
    // the trigger keeps its previous version, the new key stays out, the valid template applies.
    await editConfig({
      ...config('v2'),
      'trigger.on-pod-ready': `when: ${ready}\nsend: [pod-ready]\n`,
      'template.extra': 'webhook: {hook: {body: [unclosed\n',
    });
    const rejected = await waitUntil(
      async () => logLines(herald).filter((l) => l.level === 'error' && l.msg.includes('is broken')),
      (lines) => lines.length === 2,
      'Herald never reported the broken parts',
    );
    const origin = `notification config in configmap ${s.namespace}/herald-notifications-cm`;
    expect(rejected.map((l) => l.msg).sort()).toEqual([`${origin}: template.extra is broken; it is left out until it is fixed`, `${origin}: trigger.on-pod-ready is broken; its previous version keeps serving`]);
    expect(rejected.flatMap((l) => l.errors ?? [])).toEqual(expect.arrayContaining([expect.stringMatching(/^trigger\.on-pod-ready: must be a YAML list of conditions, got a mapping/), expect.stringMatching(/^template\.extra: invalid YAML/)]));
    expect(await notifyPod('second')).toBe('v2 second');

    await editConfig({ ...config('v3'), 'template.extra': null });
    await waitUntil(async () => loaded(), (lines) => lines.length === 3, 'Herald never loaded the fixed config');
    expect(await notifyPod('third')).toBe('v3 third');
    // The same process all along.
    expect(herald.stdout().match(/"event":"running"/g)).toHaveLength(1);
    expect(() => process.kill(herald.pid, 0)).not.toThrow();
  });

  it('a trigger edited in the ConfigMap reaches objects that did not change: every object is published again, once, and a template edit asks for nothing', async () => {
    const never = (body: string) => ({ ...config(body), 'trigger.on-pod-ready': "- when: pod.status.phase in ['Succeeded']\n  send: [pod-ready]\n" });
    const s = await world.scenario({ prefix: 'RESYNC', data: { ...never('v1'), 'service.webhook.hook': `url: ${world.receiver.url}/resync` } });
    const herald = await s.herald();
    const forPod = (r: { path: string }) => r.path === '/resync';
    await s.pod('steady', { annotations: { [subscribe('on-pod-ready.hook')]: '' } });
    await s.setPhase('steady', 'Running');
    await s.settled();
    expect(world.receiver.requests.filter(forPod)).toHaveLength(0);

    // The trigger now matches the Pod as it is: nobody touches the Pod, and it is notified.
    await s.core.patchNamespacedConfigMap({ name: 'herald-notifications-cm', namespace: s.namespace, body: { data: config('v2') } }, mergePatch);
    const [request] = await world.receiver.waitFor(1, forPod);
    expect(request!.body).toBe('v2 steady');
    const asked = logLines(herald).filter((l) => l.msg.startsWith('the notification config changed'));
    expect(asked.map((l) => l.msg)).toEqual(['the notification config changed (trigger.on-pod-ready changed): the sources publish every object again to evaluate it']);
    expect(logLines(herald).filter((l) => l.msg.startsWith('resync asked for (trigger.on-pod-ready changed)'))).toHaveLength(1);
    await waitUntil(async () => logLines(herald).filter((l) => l.msg.startsWith('resynced: every object published again')), (l) => l.length === 1, 'the source never finished its resync');

    // A template edit changes what is said, not whether: no resync, no second request.
    await s.core.patchNamespacedConfigMap({ name: 'herald-notifications-cm', namespace: s.namespace, body: { data: config('v3') } }, mergePatch);
    await waitUntil(async () => logLines(herald).filter((l) => l.msg.startsWith('notification config loaded')), (l) => l.length === 3, 'Herald never loaded the template edit');
    await s.settled();
    expect(logLines(herald).filter((l) => l.msg.startsWith('the notification config changed'))).toHaveLength(1);
    expect(world.receiver.requests.filter(forPod)).toHaveLength(1);
  });

  it("with the source's checkpoint, a trigger edited while Herald was stopped reaches every object at the next start; with nothing edited, only what changed is published", async () => {
    const never = (body: string) => ({ ...config(body), 'trigger.on-pod-ready': "- when: pod.status.phase in ['Succeeded']\n  send: [pod-ready]\n" });
    const s = await world.scenario({ prefix: 'RESYNCCP', data: { ...never('v1'), 'service.webhook.hook': `url: ${world.receiver.url}/resync-cp` }, source: { checkpoint: true } });
    const forPod = (r: { path: string }) => r.path === '/resync-cp';
    const first = await s.herald();
    await s.pod('steady', { annotations: { [subscribe('on-pod-ready.hook')]: '' } });
    await s.setPhase('steady', 'Running');
    await s.settled();
    expect(await first.stop()).toBe(0);
    expect(logLines(first).some((l) => l.msg.startsWith('checkpoint saved'))).toBe(true);

    // Nothing edited: the next start publishes nothing of the unchanged Pod.
    const second = await s.herald();
    await s.settled();
    expect(logLines(second).some((l) => l.msg.startsWith('checkpoint of '))).toBe(true);
    expect(await second.stop()).toBe(0);

    await s.core.patchNamespacedConfigMap({ name: 'herald-notifications-cm', namespace: s.namespace, body: { data: config('v2') } }, mergePatch);
    const third = await s.herald();
    const [request] = await world.receiver.waitFor(1, forPod);
    expect(request!.body).toBe('v2 steady');
    // Published again either because the checkpoint was set aside (the request came before this start's claim)
    // or by the resync the request asked for (it came after): each is said in the log.
    const lines = logLines(third).map((l) => l.msg);
    expect(lines.some((m) => m.startsWith('checkpoint saved before the notification config changed') || m.startsWith('resync asked for (trigger.on-pod-ready changed)'))).toBe(true);
  });

  it('least privilege is exercised: without the grant on its ConfigMap Herald refuses to start and says so; with it, it runs', async () => {
    const s = await world.scenario({ prefix: 'RBAC', data: { ...config('rbac'), 'service.webhook.hook': `url: ${world.receiver.url}/rbac` } });
    const rbac = world.cp.adminKubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const restricted = world.cp.restrictedKubeConfig.makeApiClient(CoreV1Api);
    const role = { name: 'herald-notification-config', namespace: s.namespace };
    const { rules } = await rbac.readNamespacedRole(role);
    // RBAC changes reach the authorizer through its informer: wait until they are in force.
    const canReadConfigMap = (expected: boolean) =>
      waitUntil(
        () => restricted.readNamespacedConfigMap({ name: 'herald-notifications-cm', namespace: s.namespace }).then(() => true, () => false),
        (allowed) => allowed === expected,
        `the restricted user ${expected ? 'never could' : 'could still'} read the ConfigMap`,
      );

    // deploy/rbac's Role without its configmaps rule (the Secret stays readable).
    await rbac.patchNamespacedRole({ ...role, body: { rules: rules!.filter((r) => !r.resources?.includes('configmaps')) } }, mergePatch);
    await canReadConfigMap(false);
    expect(await bootFailure(() => s.herald())).toEqual({
      code: 'HERALD_ERR_KERNEL_BOOT',
      message:
        `cannot read the notification configmap ${s.namespace}/herald-notifications-cm: configmaps "herald-notifications-cm" is forbidden: ` +
        `User "herald-restricted" cannot list resource "configmaps" in API group "" in the namespace "${s.namespace}" (Herald needs get, list and watch on it)`,
    });

    await rbac.patchNamespacedRole({ ...role, body: { rules } }, mergePatch);
    await canReadConfigMap(true);
    await s.herald();
    await s.pod('allowed', { annotations: { [subscribe('on-pod-ready.hook')]: '' } });
    await s.setPhase('allowed', 'Running');
    const [request] = await world.receiver.waitFor(1, (r) => r.path === '/rbac');
    expect(request!.body).toBe('rbac allowed');
  });

  it('without patch on the watched resource it still sends once (dedup lives in the state bucket) and says, once, what is missing', async () => {
    const s = await world.scenario({ prefix: 'NOPATCH', data: { ...config('nopatch'), 'service.webhook.hook': `url: ${world.receiver.url}/nopatch` } });
    const rbac = world.cp.adminKubeConfig.makeApiClient(RbacAuthorizationV1Api);
    // Every scenario of this file bound deploy/rbac's ClusterRole to the same user: take patch out of all.
    for (const role of (await rbac.listClusterRole()).items.filter((r) => r.metadata!.name!.startsWith('herald-watched-resources-'))) {
      const rules = role.rules!.map((r) => ({ ...r, verbs: r.verbs.filter((v) => v !== 'patch') }));
      await rbac.patchClusterRole({ name: role.metadata!.name!, body: { rules } }, mergePatch);
    }
    const restricted = world.cp.restrictedKubeConfig.makeApiClient(CoreV1Api);
    await s.pod('probe');
    await waitUntil(
      () => restricted.patchNamespacedPod({ name: 'probe', namespace: s.namespace, body: { metadata: { labels: { p: '1' } } } }, mergePatch).then(() => true, () => false),
      (allowed) => !allowed,
      'the restricted user could still patch Pods',
    );

    const herald = await s.herald();
    const forPod = (r: { path: string }) => r.path === '/nopatch';
    await s.pod('quiet', { annotations: { [subscribe('on-pod-ready.hook')]: '' } });
    await s.setPhase('quiet', 'Running');
    await world.receiver.waitFor(1, forPod);
    for (const value of ['a', 'b', 'c']) await s.setLabels('quiet', { touched: value });
    await s.settled();
    expect(world.receiver.requests.filter(forPod)).toHaveLength(1);
    expect(await s.notified('quiet')).toBeUndefined();

    // The claim still follows the condition: false, then true again, fires again.
    await s.setPhase('quiet', 'Pending');
    await s.settled();
    await s.setPhase('quiet', 'Running');
    await world.receiver.waitFor(2, forPod);
    await s.settled();
    expect(world.receiver.requests.filter(forPod)).toHaveLength(2);
    const warnings = logLines(herald).filter((l) => l.level === 'warn' && l.msg.startsWith('cannot write the notified.notifications.argoproj.io annotation'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('Herald needs patch on pods');
  });
});
