import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startControlPlane, startFakeSlack, startNats, testNatsLimits, type ControlPlane, type FakeSlack, type NatsServer } from '@herald/test-harness';
import { waitForSettled } from './support/bus-settled.ts';
import { applyHeraldRbac, createConfigMap } from './support/cluster-setup.ts';
import { startHerald, type HeraldProcess } from './support/herald-process.ts';

// The Slack sink as an operator runs it: its own `herald run --role sink` OS process beside one running the
// other roles, Argo's slack service and template block in the ConfigMap, the token from the Secret, a local
// Slack Web API. A groupingKey thread survives a kill -9 of the sink process; a 429 on one channel does not
// hold back another; two sink processes keep a channel within Slack's posting limit together.

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let cp: ControlPlane;
let nats: NatsServer;
let api: FakeSlack;
let core: CoreV1Api;
let namespace: string;
const heralds: HeraldProcess[] = [];
const sinks: HeraldProcess[] = [];

const config = () => ({
  nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'slack', streamPrefix: 'SLACK' },
  notifications: { namespace },
  plugins: [
    { name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace] } },
    { name: '@herald/sink-slack' },
  ],
});
const herald = async (roles: string, extra: Record<string, unknown> = {}) => {
  const h = await startHerald({ ...config(), ...extra }, { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: namespace }, ['--role', roles]);
  heralds.push(h);
  if (roles === 'sink') sinks.push(h);
  return h;
};
const until = (what: string, done: () => boolean) =>
  eventually(async () => {
    if (!done()) throw new Error(`gave up waiting for ${what}`);
  }, 60_000);
const setPhase = (name: string, phase: string) => core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase } } }, mergePatch);
const pod = (name: string, annotations: Record<string, string>) => core.createNamespacedPod({ namespace, body: { metadata: { name, annotations }, spec: { containers: [{ name: 'app', image: 'app' }] } } });

beforeAll(async () => {
  [cp, nats, api] = await Promise.all([startControlPlane(), startNats(), startFakeSlack()]);
  core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  namespace = await cp.createNamespace('slack');
  await applyHeraldRbac(cp, namespace);
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'herald-notifications-secret' }, stringData: { 'slack-token': api.token } } });
  await createConfigMap(cp, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'herald-notifications-cm', namespace },
    data: {
      'service.slack': `token: $slack-token\napiURL: ${api.apiUrl}\nusername: herald\nicon: ":rocket:"\n`,
      'trigger.on-running': `- when: pod.status.phase == 'Running'\n  send: [pod-phase]\n`,
      'trigger.on-failed': `- when: pod.status.phase == 'Failed'\n  send: [pod-phase]\n`,
      'template.pod-phase': [
        'message: Pod {{.pod.metadata.name}} is {{.pod.status.phase}}',
        'slack:',
        '  groupingKey: "{{.pod.metadata.name}}"',
        '  blocks: |',
        '    [{"type": "section", "text": {"type": "mrkdwn", "text": "*{{.pod.metadata.name}}* is {{.pod.status.phase}}"}}]',
        '',
      ].join('\n'),
    },
  });
});
afterAll(async () => {
  await Promise.all(heralds.map((h) => h.kill()));
  await Promise.all([cp?.stop(), nats?.stop(), api?.close()]);
});

describe('the Slack sink as its own process (real kube-apiserver and NATS, a local Slack Web API)', () => {
  it('posts the rendered blocks; after a kill -9 of the sink process and its restart, the next message of the Pod replies in the same thread', async () => {
    await herald('source,evaluator,state');
    const sink = await herald('sink');
    await pod('guestbook', { 'notifications.argoproj.io/subscribe.on-running.slack': 'deploys', 'notifications.argoproj.io/subscribe.on-failed.slack': 'deploys' });

    await setPhase('guestbook', 'Running');
    await until('the parent message', () => api.messages('deploys').length === 1);
    const [parent] = api.messages('deploys');
    expect(parent).toMatchObject({
      text: 'Pod guestbook is Running',
      username: 'herald',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*guestbook* is Running' } }],
      metadata: { event_type: 'herald_notification', event_payload: { idempotency_key: expect.stringMatching(/^[A-Za-z0-9_-]+:\d+$/) } },
    });
    expect(parent).not.toHaveProperty('thread_ts');
    const post = api.requests.find((r) => r.method === 'chat.postMessage')!;
    expect(post).toMatchObject({ authorization: `Bearer ${api.token}`, params: { channel: 'deploys', icon_emoji: ':rocket:' } });

    // Acknowledged, so recorded: a kill between Slack's answer and the record is the window the docs describe.
    await waitForSettled(nats.url, ['SLACK_NOTIFICATIONS']);
    await sink.kill();
    await herald('sink');
    await setPhase('guestbook', 'Failed');
    await until('the reply', () => api.messages('deploys').length === 2);
    expect(api.messages('deploys')[1]).toMatchObject({ text: 'Pod guestbook is Failed', thread_ts: parent!.ts });
  });

  it('a channel Slack answers 429 to does not hold back another channel; it gets its message once Slack lets it', async () => {
    api.behave({ throttle: 1 }, 'storm');
    await pod('web', { 'notifications.argoproj.io/subscribe.on-running.slack': 'storm;calm' });
    await setPhase('web', 'Running');

    await until('the message in calm', () => api.messages('calm').length === 1);
    expect(api.requests.some((r) => r.params.channel === 'storm' && r.status === 429)).toBe(true);
    expect(api.messages('storm')).toHaveLength(0);
    api.behave('ok', 'storm');
    await until('the message in storm', () => api.messages('storm').length === 1);
    expect(api.messages('storm')[0]).toMatchObject({ text: 'Pod web is Running' });
  });

  it('two sink processes keep a channel within Slack’s posting limit together: every message in, not one 429', async () => {
    await Promise.all(sinks.splice(0).map((s) => s.kill()));
    // Two notifications out at once per process, so that both take part.
    const replicas = { sink: { byType: { slack: { maxAckPending: 2 } } } };
    const [one, two] = [await herald('sink', replicas), await herald('sink', replicas)];
    // Slack's limit for posting, about one message a second per channel with short bursts: the sink's declared
    // 1/s, kept by each process alone, would be 2/s from two of them and meet 429s after the burst.
    api.limitPosting({ perSecond: 1, burst: 3 });
    const names = Array.from({ length: 8 }, (_, i) => `busy-${i}`);
    await Promise.all(names.map((name) => pod(name, { 'notifications.argoproj.io/subscribe.on-running.slack': 'busy' })));
    await Promise.all(names.map((name) => setPhase(name, 'Running')));

    await until('the eight messages in busy', () => api.messages('busy').length === 8);
    expect(new Set(api.messages('busy').map((m) => m.text))).toEqual(new Set(names.map((name) => `Pod ${name} is Running`)));
    expect(api.requests.filter((r) => r.params.channel === 'busy' && r.status === 429)).toEqual([]);
    const sentBy = (h: HeraldProcess) => h.logs().split('\n').filter((line) => line.includes('"msg":"sent"') && line.includes('slack/slack/busy')).length;
    expect(sentBy(one)).toBeGreaterThan(0);
    expect(sentBy(two)).toBeGreaterThan(0);
    expect(sentBy(one) + sentBy(two)).toBe(8);
  });
});
