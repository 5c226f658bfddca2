import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startControlPlane, startFakeSlack, startMailpit, startNats, testNatsLimits, type ControlPlane, type FakeSlack, type Mailpit, type NatsServer } from '@herald/test-harness';
import { applyHeraldRbac, createConfigMap } from './support/cluster-setup.ts';
import { startHerald, type HeraldProcess } from './support/herald-process.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

// One trigger, one template with a block per service, three services of three types in one ConfigMap:
// a Pod going Running is heard by a webhook, a Slack channel and an email inbox, each exactly once, and its
// `notified` annotation records the three destinations in Argo's format.

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let cp: ControlPlane;
let nats: NatsServer;
let slack: FakeSlack;
let mailpit: Mailpit;
let receiver: WebhookReceiver;
let herald: HeraldProcess | undefined;
let namespace: string;

beforeAll(async () => {
  [cp, nats, slack, mailpit, receiver] = await Promise.all([startControlPlane(), startNats(), startFakeSlack(), startMailpit(), startWebhookReceiver()]);
  namespace = await cp.createNamespace('three');
  await applyHeraldRbac(cp, namespace);
  const core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'herald-notifications-secret' }, stringData: { 'slack-token': slack.token } } });
  await createConfigMap(cp, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'herald-notifications-cm', namespace },
    data: {
      'service.webhook.hook': `url: ${receiver.url}\n`,
      'service.slack': `token: $slack-token\napiURL: ${slack.apiUrl}\n`,
      'service.email': `host: 127.0.0.1\nport: ${mailpit.smtpPort}\nfrom: herald@example.com\n`,
      'trigger.on-running': `- when: pod.status.phase == 'Running'\n  send: [pod-running]\n`,
      'template.pod-running': [
        'message: Pod {{.pod.metadata.name}} is running',
        'webhook:',
        '  hook:',
        '    method: POST',
        '    path: /ready',
        '    body: \'{"pod": "{{.pod.metadata.name}}"}\'',
        'slack:',
        '  blocks: |',
        '    [{"type": "section", "text": {"type": "mrkdwn", "text": "*{{.pod.metadata.name}}* is running"}}]',
        'email:',
        '  subject: "{{.pod.metadata.name}} is running"',
        '  body: "Pod {{.pod.metadata.namespace}}/{{.pod.metadata.name}} reached Running."',
        '',
      ].join('\n'),
    },
  });
  herald = await startHerald(
    {
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'three', streamPrefix: 'THREE' },
      notifications: { namespace },
      plugins: [
        { name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace] } },
        { name: '@herald/sink-webhook' },
        { name: '@herald/sink-slack' },
        { name: '@herald/sink-email' },
      ],
    },
    { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: namespace },
  );
});
afterAll(async () => {
  await herald?.kill();
  await Promise.all([cp?.stop(), nats?.stop(), slack?.close(), mailpit?.stop(), receiver?.close()]);
});

it('one Pod going Running notifies a webhook, a Slack channel and an email address from one trigger, once each', async () => {
  const core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  const subscribe = 'notifications.argoproj.io/subscribe.on-running';
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: 'web-1', annotations: { [`${subscribe}.hook`]: '', [`${subscribe}.slack`]: 'deploys', [`${subscribe}.email`]: 'ops@example.com' } },
      spec: { containers: [{ name: 'app', image: 'app' }] },
    },
  });
  await core.patchNamespacedPodStatus({ name: 'web-1', namespace, body: { status: { phase: 'Running' } } }, mergePatch);

  const [hook] = await receiver.waitFor(1, (r) => r.path === '/ready', 60_000);
  expect(hook).toMatchObject({ method: 'POST', body: '{"pod": "web-1"}' });
  await eventually(async () => expect(slack.messages('deploys')).toHaveLength(1), 60_000);
  expect(slack.messages('deploys')[0]).toMatchObject({ text: 'Pod web-1 is running', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*web-1* is running' } }] });
  await eventually(async () => expect(await mailpit.count()).toBe(1), 60_000);
  const [summary] = await mailpit.messages();
  expect(summary).toMatchObject({ Subject: 'web-1 is running', To: [{ Address: 'ops@example.com' }] });
  expect((await mailpit.message(summary!.ID)).Text.trim()).toBe(`Pod ${namespace}/web-1 reached Running.`);

  // The annotation mirrors the three claims, in Argo's format (state key → unix seconds).
  const notifiedOf = async () => {
    const pod = await core.readNamespacedPod({ name: 'web-1', namespace });
    return JSON.parse(pod.metadata?.annotations?.['notified.notifications.argoproj.io'] ?? '{}') as Record<string, number>;
  };
  await eventually(async () => expect(Object.keys(await notifiedOf())).toHaveLength(3), 60_000);
  expect(Object.keys(await notifiedOf()).sort()).toEqual([
    expect.stringMatching(/^on-running:\[0\]\.[\w-]+:email:ops@example\.com$/),
    expect.stringMatching(/^on-running:\[0\]\.[\w-]+:hook:$/),
    expect.stringMatching(/^on-running:\[0\]\.[\w-]+:slack:deploys$/),
  ]);
  // Each exactly once.
  expect(receiver.requests.filter((r) => r.path === '/ready')).toHaveLength(1);
  expect(slack.accepted()).toBe(1);
  expect(await mailpit.count()).toBe(1);
});
