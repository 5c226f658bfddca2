import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createNamespacedCrd, freePort, grantRestrictedUser } from '@herald/test-harness';
import { conditionKey, mergePatch, notifiedOf, subscribe, waitUntil } from './support/scenario.ts';
import { useScenarioWorld } from './support/scenario-world.ts';
import type { ReceivedRequest } from './support/webhook-receiver.ts';

const world = useScenarioWorld();

/** Requests to one service's URL path whose body mentions `name` (bodies are `<what> <name>` in these configs). */
const to = (path: string, name: string) => (r: ReceivedRequest) => r.path === path && r.body.split(' ').includes(name);
const requests = (path: string, name: string) => world.receiver.requests.filter(to(path, name)).map((r) => r.body);
const ready = "pod.status.phase in ['Running']";
const cli = fileURLToPath(new URL('../../../core/cli/src/main.ts', import.meta.url));

/** `herald dlq list -o json`, as an operator runs it. */
function dlqList(configPath: string): Promise<{ id: number; code: string; reason: string; about: Record<string, unknown> }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=herald-source', cli, 'dlq', 'list', '-c', configPath, '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as never) : reject(new Error(`herald dlq list exited ${code}: ${err}${out}`))));
  });
}

describe('notification scenarios, end to end (real kube-apiserver, NATS, HTTP receiver; herald run as the restricted user)', () => {
  it('global subscriptions by label selector, subscribe.<service> with (per-service) default triggers, several recipients', async () => {
    const failed = "pod.status.phase == 'Failed'";
    const s = await world.scenario({
      prefix: 'SUBS',
      data: {
        'trigger.on-pod-ready': `- when: ${ready}\n  send: [pod-ready]\n`,
        'trigger.on-pod-failed': `- when: ${failed}\n  send: [pod-failed]\n`,
        'template.pod-ready': [
          'webhook:',
          '  prod: {method: POST, body: "prod-ready {{.pod.metadata.name}}"}',
          '  oncall: {method: POST, body: "ready-for {{.recipient}} {{.pod.metadata.name}}"}',
          '  team: {method: POST, body: "team-ready {{.pod.metadata.name}}"}',
        ].join('\n'),
        'template.pod-failed': 'webhook:\n  team: {method: POST, body: "team-failed {{.pod.metadata.name}}"}\n',
        'service.webhook.prod': `url: ${world.receiver.url}/prod`,
        'service.webhook.oncall': `url: ${world.receiver.url}/oncall`,
        'service.webhook.team': `url: ${world.receiver.url}/team`,
        subscriptions: '- recipients: ["prod:"]\n  triggers: [on-pod-ready]\n  selector: env=prod\n',
        defaultTriggers: '- on-pod-ready\n',
        'defaultTriggers.team': '- on-pod-failed\n',
      },
    });
    await s.herald();
    const readyKey = (service: string, recipient = '') => `on-pod-ready:${conditionKey(0, ready)}:${service}:${recipient}`;

    // The global subscription picks Pods by label: env=prod is notified, env=dev is not.
    await s.pod('api-prod', { labels: { env: 'prod' } });
    await s.pod('api-dev', { labels: { env: 'dev' } });
    await Promise.all([s.setPhase('api-prod', 'Running'), s.setPhase('api-dev', 'Running')]);
    await world.receiver.waitFor(1, to('/prod', 'api-prod'));
    await s.waitForNotifiedKeys('api-prod', [readyKey('prod')]);
    await s.settled();
    expect(requests('/prod', 'api-prod')).toEqual(['prod-ready api-prod']);
    expect(world.receiver.requests.filter((r) => r.body.includes('api-dev'))).toEqual([]);
    expect(await s.notified('api-dev')).toBeUndefined();

    // subscribe.oncall (no trigger) takes defaultTriggers; each of its recipients is a destination of its own.
    // subscribe.team takes defaultTriggers.team instead, so Running sends it nothing.
    await s.pod('worker', { annotations: { [subscribe('oncall')]: 'alice; bob', [subscribe('team')]: '' } });
    await s.setPhase('worker', 'Running');
    await world.receiver.waitFor(2, to('/oncall', 'worker'));
    await s.waitForNotifiedKeys('worker', [readyKey('oncall', 'alice'), readyKey('oncall', 'bob')]);
    await s.settled();
    expect(requests('/oncall', 'worker').sort()).toEqual(['ready-for alice worker', 'ready-for bob worker']);
    expect(requests('/team', 'worker')).toEqual([]);

    // Failed: the team's default trigger fires; on-pod-ready turned false, so its keys are cleared.
    await s.setPhase('worker', 'Failed');
    await world.receiver.waitFor(1, to('/team', 'worker'));
    await s.waitForNotifiedKeys('worker', [`on-pod-failed:${conditionKey(0, failed)}:team:`]);
    await s.settled();
    expect(requests('/team', 'worker')).toEqual(['team-failed worker']);
    expect(requests('/oncall', 'worker')).toHaveLength(2);
  });

  it('watches Pods and a CRD at once, each object under its own variable name in triggers and templates', async () => {
    const group = 'e2e.herald.dev';
    const custom = world.cp.adminKubeConfig.makeApiClient(CustomObjectsApi);
    await createNamespacedCrd(world.cp.adminKubeConfig, { group, kind: 'Widget', plural: 'widgets' });
    const big = 'w.spec.size > 3';
    const s = await world.scenario({
      prefix: 'GVRS',
      data: {
        'trigger.on-pod-ready': `- when: ${ready}\n  send: [pod-ready]\n`,
        'trigger.on-big-widget': `- when: ${big}\n  send: [widget-big]\n`,
        'template.pod-ready': 'webhook:\n  hook: {method: POST, body: "pod {{.pod.metadata.name}} is {{.pod.status.phase}}"}\n',
        'template.widget-big': 'webhook:\n  hook: {method: POST, body: "widget {{.w.metadata.name}} has size {{.w.spec.size}}"}\n',
        'service.webhook.hook': `url: ${world.receiver.url}/gvrs`,
      },
      resources: [
        { version: 'v1', resource: 'pods', kind: 'Pod' },
        { group, version: 'v1', resource: 'widgets', kind: 'Widget' },
      ],
      notifications: { variables: { Widget: 'w' } },
    });
    // deploy/rbac grants Pods only; a watched CRD needs the same three verbs (see the manifest's header).
    await grantRestrictedUser(world.cp, s.namespace, 'herald-widgets', [{ apiGroups: [group], resources: ['widgets'], verbs: ['list', 'watch', 'patch'] }]);
    await s.herald();
    const widget = { group, version: 'v1', namespace: s.namespace, plural: 'widgets', name: 'gear' };
    await custom.createNamespacedCustomObject({
      ...widget,
      body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'gear', annotations: { [subscribe('on-big-widget.hook')]: '' } }, spec: { size: 2 } },
    });
    await s.pod('runner', { annotations: { [subscribe('on-pod-ready.hook')]: '' } });
    await s.settled();
    expect(world.receiver.requests.filter((r) => r.path === '/gvrs')).toEqual([]);

    await custom.patchNamespacedCustomObject({ ...widget, body: { spec: { size: 5 } } }, mergePatch);
    await s.setPhase('runner', 'Running');
    await world.receiver.waitFor(2, (r) => r.path === '/gvrs');
    const widgetKey = `on-big-widget:${conditionKey(0, big)}:hook:`;
    await waitUntil(
      async () => notifiedOf((await custom.getNamespacedCustomObject(widget)) as { metadata?: { annotations?: Record<string, string> } }),
      (n) => n?.[widgetKey] !== undefined,
      `the Widget never got ${widgetKey}`,
    );
    await s.waitForNotifiedKeys('runner', [`on-pod-ready:${conditionKey(0, ready)}:hook:`]);
    await s.settled();
    expect(world.receiver.requests.filter((r) => r.path === '/gvrs').map((r) => r.body).sort()).toEqual(['pod runner is Running', 'widget gear has size 5']);
  });

  it('a delete trigger (herald.action == DELETED) sends once with the last known object, and nothing fails or loops', async () => {
    const deleted = "herald.action == 'DELETED'";
    const s = await world.scenario({
      prefix: 'DEL',
      data: {
        'trigger.on-pod-deleted': `- when: ${deleted}\n  send: [pod-deleted]\n`,
        'template.pod-deleted': 'webhook:\n  hook: {method: POST, body: "deleted {{.pod.metadata.name}} while {{.pod.status.phase}}"}\n',
        'service.webhook.hook': `url: ${world.receiver.url}/deleted`,
      },
    });
    const herald = await s.herald();
    await s.pod('doomed', { annotations: { [subscribe('on-pod-deleted.hook')]: '' } });
    await s.setPhase('doomed', 'Running');
    await s.settled();
    expect(requests('/deleted', 'doomed')).toEqual([]);

    const logged = herald.logs().length;
    await s.core.deleteNamespacedPod({ name: 'doomed', namespace: s.namespace });
    await world.receiver.waitFor(1, to('/deleted', 'doomed'));
    await s.settled();
    // Long enough for a loop (a redelivery, a re-evaluation after the failed annotation patch) to show.
    await new Promise((r) => setTimeout(r, 2_000));
    await s.settled();
    expect(requests('/deleted', 'doomed')).toEqual(['deleted doomed while Running']);
    expect(await s.deadLetters()).toBe(0);
    const problems = herald
      .logs()
      .slice(logged)
      .split('\n')
      .filter((l) => l.startsWith('{') && ['warn', 'error', 'fatal'].includes((JSON.parse(l) as { level: string }).level));
    expect(problems).toEqual([]);
  });

  it("adopts an Argo notified annotation on first sight: nothing is sent for what Argo sent, and Pending → Running fires", async () => {
    const argoKey = `on-pod-ready:${conditionKey(0, ready)}:webhook:`;
    expect(argoKey).toBe('on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:');
    const s = await world.scenario({
      prefix: 'ADOPT',
      data: {
        'trigger.on-pod-ready': `- when: ${ready}\n  send: [pod-ready]\n`,
        'template.pod-ready': 'webhook:\n  webhook: {method: POST, body: "ready {{.pod.metadata.name}}"}\n',
        'service.webhook.webhook': `url: ${world.receiver.url}/adopt`,
      },
    });
    // Both Pods were Running under Argo before Herald starts; only one carries what Argo sent.
    const subscribed = { [subscribe('on-pod-ready.webhook')]: '' };
    await s.pod('migrated', { annotations: { ...subscribed, 'notified.notifications.argoproj.io': `{"${argoKey}":1645078598}` } });
    await s.pod('never-notified', { annotations: subscribed });
    await Promise.all([s.setPhase('migrated', 'Running'), s.setPhase('never-notified', 'Running')]);

    await s.herald();
    await world.receiver.waitFor(1, to('/adopt', 'never-notified'));
    await s.settled();
    expect(requests('/adopt', 'migrated')).toEqual([]);
    expect(await s.notified('migrated')).toEqual({ [argoKey]: 1645078598 });

    await s.setPhase('migrated', 'Pending');
    await s.waitForNotifiedKeys('migrated', []);
    const before = Math.floor(Date.now() / 1000);
    await s.setPhase('migrated', 'Running');
    await world.receiver.waitFor(1, to('/adopt', 'migrated'));
    const annotation = await s.waitForNotifiedKeys('migrated', [argoKey]);
    expect(annotation![argoKey]).toBeGreaterThanOrEqual(before - 1);
    await s.settled();
    expect(requests('/adopt', 'migrated')).toEqual(['ready migrated']);
    expect(requests('/adopt', 'never-notified')).toEqual(['ready never-notified']);
  });

  it('oncePer fires once per distinct value (a → b fires, back to a does not), across condition changes', async () => {
    const running = "pod.status.phase == 'Running'";
    const s = await world.scenario({
      prefix: 'ONCE',
      data: {
        'trigger.on-version': `- when: ${running}\n  oncePer: pod.metadata.labels.version\n  send: [version]\n`,
        'template.version': 'webhook:\n  hook: {method: POST, body: "version {{.pod.metadata.labels.version}} of {{.pod.metadata.name}}"}\n',
        'service.webhook.hook': `url: ${world.receiver.url}/once`,
      },
    });
    await s.herald();
    const key = (version: string) => `${version}:on-version:${conditionKey(0, running)}:hook:`;
    await s.pod('app', { labels: { version: 'a' }, annotations: { [subscribe('on-version.hook')]: '' } });
    await s.setPhase('app', 'Running');
    await world.receiver.waitFor(1, to('/once', 'app'));
    await s.waitForNotifiedKeys('app', [key('a')]);

    await s.setLabels('app', { version: 'b' });
    await world.receiver.waitFor(2, to('/once', 'app'));
    await s.waitForNotifiedKeys('app', [key('a'), key('b')]);

    // Argo keeps oncePer keys when the value changes and when the condition turns false: nothing fires again.
    await s.setLabels('app', { version: 'a' });
    await s.setPhase('app', 'Pending');
    await s.setPhase('app', 'Running');
    await s.settled();
    expect(requests('/once', 'app')).toEqual(['version a of app', 'version b of app']);
    expect(Object.keys((await s.notified('app'))!).sort()).toEqual([key('a'), key('b')]);
  });

  it('a send that fails for good releases the oncePer claim: nothing loops meanwhile, and the next event sends it', async () => {
    const running = "pod.status.phase == 'Running'";
    const s = await world.scenario({
      prefix: 'FAIL',
      data: {
        'trigger.on-version': `- when: ${running}\n  oncePer: pod.metadata.labels.version\n  send: [version]\n`,
        'template.version': 'webhook:\n  flaky: {method: POST, body: "version {{.pod.metadata.labels.version}} of {{.pod.metadata.name}}"}\n',
        'service.webhook.flaky': `url: ${world.receiver.url}/flaky\nretryMax: 1\nretryWaitMin: 10ms\nretryWaitMax: 100ms`,
      },
    });
    await s.herald();
    const key = `a:on-version:${conditionKey(0, running)}:flaky:`;
    await s.pod('fragile', { labels: { version: 'a' }, annotations: { [subscribe('on-version.flaky')]: '' } });
    await s.settled();
    // retryMax: 1 is two requests in all (one per attempt, Herald retrying), both refused: a dead letter.
    world.receiver.failNext(500, 500);
    await s.setPhase('fragile', 'Running');
    await world.receiver.waitFor(2, to('/flaky', 'fragile'));
    await s.settled();
    // Longer than the bus's redelivery delay: a send that fired itself again would have shown by now.
    await new Promise((r) => setTimeout(r, 2_000));
    await s.settled();
    expect(world.receiver.requests.filter(to('/flaky', 'fragile')).map((r) => r.status)).toEqual([500, 500]);
    expect(await s.deadLetters()).toBe(1);
    await s.waitForNotifiedKeys('fragile', []);

    // The claim was released: the next change of the Pod sends it, and this time it is recorded.
    await s.setLabels('fragile', { touched: 'yes' });
    await world.receiver.waitFor(3, to('/flaky', 'fragile'));
    await s.waitForNotifiedKeys('fragile', [key]);
    await s.settled();
    expect(world.receiver.requests.filter(to('/flaky', 'fragile')).map((r) => [r.status, r.body])).toEqual([
      [500, 'version a of fragile'],
      [500, 'version a of fragile'],
      [200, 'version a of fragile'],
    ]);
  });

  it('with resyncPeriod, as Argo’s hosts resync: a condition on the clock fires when its time comes, and a trigger added to the config reaches existing objects, neither object changing', async () => {
    const aged = 'time.Now().Sub(time.Parse(pod.metadata.creationTimestamp)).Seconds() >= 3';
    const s = await world.scenario({
      prefix: 'RESYNC',
      source: { resyncPeriod: '1s' },
      data: {
        'trigger.on-aged': `- when: ${aged}\n  send: [aged]\n`,
        'template.aged': 'webhook:\n  late: {method: POST, body: "aged {{.pod.metadata.name}}"}\n',
        'template.seen': 'webhook:\n  late: {method: POST, body: "seen {{.pod.metadata.name}}"}\n',
        'service.webhook.late': `url: ${world.receiver.url}/late`,
      },
    });
    await s.herald();
    // Subscribed to a trigger the config does not have yet: evaluated, nothing to send.
    // Its ADDED is evaluated at once, and false (the Pod is younger than 3 s); nothing changes the Pod after
    // that but Herald's own annotation, which the source does not publish: only a resync evaluates it again.
    await s.pod('patient', { annotations: { [subscribe('on-aged.late')]: '', [subscribe('on-seen.late')]: '' } });
    await world.receiver.waitFor(1, to('/late', 'patient'));
    const agedKey = `on-aged:${conditionKey(0, aged)}:late:`;
    await s.waitForNotifiedKeys('patient', [agedKey]);

    const seen = "pod.metadata.name == 'patient'";
    await s.core.patchNamespacedConfigMap({ name: 'herald-notifications-cm', namespace: s.namespace, body: { data: { 'trigger.on-seen': `- when: ${seen}\n  send: [seen]\n` } } }, mergePatch);
    await world.receiver.waitFor(2, to('/late', 'patient'));
    await s.waitForNotifiedKeys('patient', [agedKey, `on-seen:${conditionKey(0, seen)}:late:`]);
    // Resyncs go on (one a second); what is claimed is not sent again.
    await new Promise((r) => setTimeout(r, 3_000));
    await s.settled();
    expect(requests('/late', 'patient')).toEqual(['aged patient', 'seen patient']);
  });

  it('with resyncPeriod, a destination that refuses for good is tried again at each resync, as in Argo: one dead letter per failing notification, its newest; once the destination takes it, it is sent once and its letter removed', async () => {
    const named = "pod.metadata.name == 'unlucky'";
    const doomed = "pod.metadata.name == 'doomed'";
    const s = await world.scenario({
      prefix: 'RESYNCDLQ',
      source: { resyncPeriod: '1s' },
      // A send that fails is final at once (the refused connection too), and delivered letters are looked for every second.
      engine: { sink: { maxDeliver: 1 }, state: { removeDeliveredDeadLetters: '1s' } },
      data: {
        'trigger.on-named': `- when: ${named}\n  send: [named]\n`,
        'trigger.on-doomed': `- when: ${doomed}\n  send: [named]\n`,
        'template.named': 'webhook:\n  down: {method: POST, body: "named {{.pod.metadata.name}}"}\n  gone: {method: POST, body: "named {{.pod.metadata.name}}"}\n',
        'service.webhook.down': `url: ${world.receiver.url}/down`,
        // Nothing listens there: every send to it fails.
        'service.webhook.gone': `url: http://127.0.0.1:${await freePort()}/gone`,
      },
    });
    const herald = await s.herald();
    // 400 is permanent: no retry within a send; the claim is released and the next resync sends it again.
    world.receiver.failNext(400, 400, 400, 400);
    await s.pod('unlucky', { annotations: { [subscribe('on-named.down')]: '' } });
    await s.pod('doomed', { annotations: { [subscribe('on-doomed.gone')]: '' } });
    await world.receiver.waitFor(5, to('/down', 'unlucky'));
    await s.waitForNotifiedKeys('unlucky', [`on-named:${conditionKey(0, named)}:down:`]);
    expect(world.receiver.requests.filter(to('/down', 'unlucky')).map((r) => r.status)).toEqual([400, 400, 400, 400, 200]);
    // The letter of the notification delivered since goes; the one still failing at every resync stays, one letter.
    const letters = await waitUntil(() => dlqList(herald.configPath), (l) => l.length === 1 && l[0]!.about.trigger === 'on-doomed', 'only the failing notification’s letter left');
    expect(letters).toEqual([expect.objectContaining({ about: expect.objectContaining({ trigger: 'on-doomed', destination: 'gone:', object: `Pod ${s.namespace}/doomed` }) })]);
    expect(herald.logs()).toContain('dead letter removed: its notification was delivered since');
    expect(world.receiver.requests.filter(to('/down', 'unlucky'))).toHaveLength(5);
  });

  it('break 3 and break 9: a trigger whose template fails to render is dead-lettered alone (named in herald dlq list), the other trigger is delivered; a service no sink delivers is refused at load', async () => {
    const s = await world.scenario({
      prefix: 'ISOLATE',
      data: {
        'trigger.a': `- when: ${ready}\n  send: [second-container]\n`,
        'trigger.b': `- when: ${ready}\n  send: [fine]\n`,
        'template.second-container': 'webhook:\n  hook: {method: POST, body: "second {{index .pod.spec.containers 1}}"}\n',
        'template.fine': 'webhook:\n  hook: {method: POST, body: "fine {{.pod.metadata.name}}"}\n',
        'service.webhook.hook': `url: ${world.receiver.url}/isolate`,
        'service.slack': 'token: xoxb-not-a-real-token',
      },
    });
    const herald = await s.herald();
    await s.pod('single', { annotations: { [subscribe('a.hook')]: '', [subscribe('b.hook')]: '' } });
    await s.setPhase('single', 'Running');
    await world.receiver.waitFor(1, to('/isolate', 'single'));
    await s.waitForNotifiedKeys('single', [`b:${conditionKey(0, ready)}:hook:`]);
    await s.settled();
    expect(requests('/isolate', 'single')).toEqual(['fine single']);
    // One letter about a alone: each version of the Pod that fails it again (the `notified` patch for b is a
    // version too) replaces the letter before, so a notification that keeps failing is one letter, the newest.
    const letters = await dlqList(herald.configPath);
    expect(letters).toEqual([expect.objectContaining({ code: 'HERALD_ERR_TEMPLATE_RUNTIME', about: expect.objectContaining({ trigger: 'a', destination: 'hook:', object: `Pod ${s.namespace}/single` }) })]);
    expect(letters[0]!.reason).toContain(`cannot render trigger a (template second-container) to webhook service hook for Pod ${s.namespace}/single: template.second-container`);

    // Argo logs and moves on: the same version of the Pod is not tried again; its next change is, once, and its
    // letter replaces the one before.
    await s.setLabels('single', { touched: 'yes' });
    await s.settled();
    const after = await dlqList(herald.configPath);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBeGreaterThan(letters[0]!.id);
    expect(requests('/isolate', 'single')).toEqual(['fine single']);

    const refusal = herald
      .logs()
      .split('\n')
      .find((l) => l.includes('service.slack'));
    expect(refusal).toContain('no sink delivers service type \\"slack\\"');
    expect(refusal).toContain('@herald/sink-slack');
  });
});
