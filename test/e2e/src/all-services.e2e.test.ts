import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  eventually,
  startAlertmanager,
  startControlPlane,
  startFakeDiscord,
  startFakeGitHub,
  startFakeGoogleChat,
  startFakeGrafana,
  startFakeMattermost,
  startFakeNewrelic,
  startFakeOpsgenie,
  startFakePagerDuty,
  startFakePushover,
  startFakeRocketChat,
  startFakeSlack,
  startFakeTeams,
  startFakeTeamsWorkflows,
  startFakeTelegram,
  startFakeWebex,
  startMailpit,
  startMotoSqs,
  startNats,
  startPubsubFake,
  testNatsLimits,
} from '@herald/test-harness';
import { waitForSettled } from './support/bus-settled.ts';
import { applyHeraldRbac, createConfigMap } from './support/cluster-setup.ts';
import { startHerald, type HeraldProcess } from './support/herald-process.ts';
import { startWebhookReceiver } from './support/webhook-receiver.ts';

// Issue 17 end to end: one Argo-style ConfigMap with one service of every type Herald has (Argo's option
// names), one trigger, one template with a block per service, a Pod subscribed to that trigger on every
// service. One status change → each remote side (the servers of test/harness: local APIs, real Mailpit,
// Alertmanager, moto, pstest, nats-server) receives exactly one notification with the rendered content, and
// the Pod's `notified` annotation has one key per service. Then one remote side answers 4xx: that service's
// notification is dead-lettered with the API's reason, the others are delivered.

const cli = fileURLToPath(new URL('../../../core/cli/src/main.ts', import.meta.url));
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const prefix = 'ALLSVC';
const streams = [`${prefix}_EVENTS`, `${prefix}_NOTIFICATIONS`, `${prefix}_RESULTS`, `KV_${prefix}_STATE`];
const trigger = 'on-running';
const natsSubject = 'deploys.pods';
const sqsRegion = 'us-west-2';
const pubsubProject = 'herald-e2e';
const github = { repo: 'acme/web', sha: '2ca1a7d5f0e4b6c8d9e1f2a3b4c5d6e7f8a9b0c1' };

/** One service of the ConfigMap: its key, its options, the subscription's recipient, what its remote side saw. */
interface Service {
  /** The service's name (`service.<type>` or `service.<type>.<name>`). */
  name: string;
  key: string;
  options: string;
  recipient: string;
  /** What the remote side received, one line per notification, as the test reads it back. */
  seen(): Promise<string[]> | string[];
  /** The one line expected for Pod `pod`. */
  expected(pod: string): string;
}

let services: Service[] = [];
let herald: HeraldProcess | undefined;
let namespace = '';
let natsUrl = '';
const cleanups: (() => Promise<unknown> | unknown)[] = [];
let core: CoreV1Api;
let discordWebhooksBreak: () => void = () => undefined;
/** Messages the SQS queue holds, delayed or not, as SQS counts them. */
let sqsQueued: () => Promise<number> = () => Promise.resolve(0);
/** The secret part of the Discord webhook URL, which no dead letter may show. */
let discordToken = '';

async function linesFor(pod: string): Promise<Record<string, string[]>> {
  const entries = await Promise.all(services.map(async (s) => [s.name, (await s.seen()).filter((l) => l.includes(pod))] as const));
  return Object.fromEntries(entries);
}

async function notifiedServices(pod: string): Promise<string[]> {
  const got = await core.readNamespacedPod({ name: pod, namespace });
  const keys = Object.keys(JSON.parse(got.metadata?.annotations?.['notified.notifications.argoproj.io'] ?? '{}') as Record<string, number>);
  // `<trigger>:[<condition>].<hash>:<service>:<recipient>`
  return keys.map((k) => k.split(':')[2]!).sort();
}

async function startPod(pod: string): Promise<void> {
  const annotations = Object.fromEntries(services.map((s) => [`notifications.argoproj.io/subscribe.${trigger}.${s.name}`, s.recipient]));
  await core.createNamespacedPod({ namespace, body: { metadata: { name: pod, annotations }, spec: { containers: [{ name: 'app', image: 'app' }] } } });
  await core.patchNamespacedPodStatus({ name: pod, namespace, body: { status: { phase: 'Running' } } }, mergePatch);
}

function dlqList(configPath: string): Promise<{ code: string; reason: string; about: Record<string, unknown> }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=herald-source', cli, 'dlq', 'list', '-c', configPath, '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as never) : reject(new Error(`herald dlq list exited ${code}: ${err}${out}`))));
  });
}

const template = [
  'message: Pod {{.pod.metadata.name}} is running',
  'webhook:',
  '  hook:',
  '    method: POST',
  '    path: /running',
  '    body: \'{"pod": "{{.pod.metadata.name}}"}\'',
  'slack:',
  '  blocks: |',
  '    [{"type": "section", "text": {"type": "mrkdwn", "text": "*{{.pod.metadata.name}}* is running"}}]',
  'email:',
  '  subject: "{{.pod.metadata.name}} is running"',
  '  body: "Pod {{.pod.metadata.namespace}}/{{.pod.metadata.name}} reached Running."',
  'teams:',
  '  title: "{{.pod.metadata.name}} is running"',
  '  themeColor: "#00b300"',
  'teams-workflows:',
  '  title: "{{.pod.metadata.name}} is running"',
  'googlechat:',
  '  threadKey: "{{.pod.metadata.name}}"',
  'discord:',
  '  username: Herald',
  'mattermost:',
  '  attachments: |',
  '    [{"title": "{{.pod.metadata.name}}", "color": "#18be52"}]',
  'rocketchat:',
  '  attachments: |',
  '    [{"title": "{{.pod.metadata.name}}", "color": "#18be52"}]',
  'opsgenie:',
  '  description: "Pod {{.pod.metadata.namespace}}/{{.pod.metadata.name}} reached Running"',
  '  priority: P3',
  'pagerduty:',
  '  title: "{{.pod.metadata.name}} is running"',
  '  urgency: low',
  'pagerdutyv2:',
  '  summary: "{{.pod.metadata.name}} is running"',
  '  severity: info',
  '  source: "{{.pod.metadata.namespace}}"',
  'alertmanager:',
  '  labels:',
  '    pod: "{{.pod.metadata.name}}"',
  '  annotations:',
  '    summary: "{{.pod.metadata.name}} is running"',
  'github:',
  `  repoURLPath: "https://github.com/${github.repo}.git"`,
  `  revisionPath: "${github.sha}"`,
  '  status:',
  '    state: success',
  '    label: "herald/{{.pod.metadata.name}}"',
  'newrelic:',
  '  revision: "{{.pod.metadata.name}}"',
  '  description: "{{.pod.metadata.name}} is running"',
  'awssqs:',
  '  messageAttributes:',
  '    pod: "{{.pod.metadata.name}}"',
  'gcppubsub:',
  '  attributes:',
  '    pod: "{{.pod.metadata.name}}"',
  '',
].join('\n');

/** YAML of a service's options: JSON is YAML, and quoting is then never a question. */
const yaml = (options: Record<string, unknown>) => `${JSON.stringify(options)}\n`;

beforeAll(async () => {
  // Every server at once: the slowest (kube-apiserver, Alertmanager, moto) decide how long this takes.
  const [cp, nats, receiver, slack, mailpit, teams, workflows, googlechat, discord, mattermost, rocketchat, telegram, webex, pushover, opsgenie, pagerduty, pagerdutyv2, alertmanager, gh, grafana, newrelic, sqs, pubsub] =
    await Promise.all([
      startControlPlane(),
      startNats(),
      startWebhookReceiver(),
      startFakeSlack(),
      startMailpit(),
      startFakeTeams(),
      startFakeTeamsWorkflows(),
      startFakeGoogleChat(),
      startFakeDiscord(),
      startFakeMattermost(),
      startFakeRocketChat(),
      startFakeTelegram(),
      startFakeWebex(),
      startFakePushover(),
      startFakeOpsgenie(),
      startFakePagerDuty(),
      startFakePagerDuty(),
      startAlertmanager(),
      startFakeGitHub(),
      startFakeGrafana(),
      startFakeNewrelic(),
      startMotoSqs(),
      startPubsubFake(),
    ]);
  cleanups.push(
    () => cp.stop(),
    () => nats.stop(),
    () => receiver.close(),
    () => slack.close(),
    () => mailpit.stop(),
    ...[teams, workflows, googlechat, discord, mattermost, rocketchat, telegram, webex, pushover, opsgenie, pagerduty, pagerdutyv2, gh, grafana, newrelic].map((s) => () => s.close()),
    () => alertmanager.stop(),
    () => sqs.stop(),
    () => pubsub.stop(),
  );
  natsUrl = nats.url;
  core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
  discordWebhooksBreak = () => discord.behave('deleted');
  discordToken = discord.webhookUrl('ops').split('/').at(-1)!;

  // What the remote sides need before a message can arrive: an SQS queue, a Pub/Sub topic with a
  // subscription, a NATS subscriber on the subject.
  const sqsAdmin = new SQSClient({ region: sqsRegion, endpoint: sqs.directEndpoint, credentials: { accessKeyId: 'admin', secretAccessKey: 'admin' } });
  cleanups.push(() => sqsAdmin.destroy());
  const queueUrl = (await sqsAdmin.send(new CreateQueueCommand({ QueueName: 'deploys' }))).QueueUrl!;
  process.env.PUBSUB_EMULATOR_HOST = pubsub.host;
  const pubsubAdmin = new PubSub({ projectId: pubsubProject });
  const [topic] = await pubsubAdmin.createTopic('deploys');
  const [subscription]: [Subscription, ...unknown[]] = await topic.createSubscription('deploys-e2e');
  const published: string[] = [];
  subscription.on('message', (m: Message) => {
    published.push(`${m.attributes.pod}: ${m.data.toString()}`);
    m.ack();
  });
  cleanups.push(async () => {
    await subscription.close();
    await pubsubAdmin.close();
    delete process.env.PUBSUB_EMULATOR_HOST;
  });
  const natsReader: NatsConnection = await connect({ servers: nats.url });
  cleanups.push(() => natsReader.close());
  const natsMessages: string[] = [];
  natsReader.subscribe(natsSubject, {
    callback: (_err, msg) => {
      natsMessages.push(msg.string());
    },
  });
  await natsReader.flush();

  const mattermostChannel = mattermost.channelId('deploys');
  const telegramChat = '-1001234567890';
  const pushoverUser = 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG';
  const newrelicApp = '123456789';
  const running = (pod: string) => `Pod ${pod} is running`;
  services = [
    {
      name: 'hook',
      key: 'service.webhook.hook',
      options: yaml({ url: receiver.url }),
      recipient: '',
      seen: () => receiver.requests.filter((r) => r.path === '/running').map((r) => `${r.method} ${r.body}`),
      expected: (pod) => `POST {"pod": "${pod}"}`,
    },
    {
      name: 'slack',
      key: 'service.slack',
      options: yaml({ token: '$slack-token', apiURL: slack.apiUrl }),
      recipient: 'deploys',
      seen: () => slack.messages('deploys').map((m) => `${m.text} ${JSON.stringify(m.blocks)}`),
      expected: (pod) => `${running(pod)} [{"type":"section","text":{"type":"mrkdwn","text":"*${pod}* is running"}}]`,
    },
    {
      name: 'email',
      key: 'service.email',
      options: yaml({ host: '127.0.0.1', port: mailpit.smtpPort, from: 'herald@example.com' }),
      recipient: 'ops@example.com',
      seen: async () => (await mailpit.messages()).map((m) => `${m.To.map((t) => t.Address).join(',')}: ${m.Subject}`),
      expected: (pod) => `ops@example.com: ${pod} is running`,
    },
    {
      name: 'teams',
      key: 'service.teams',
      options: yaml({ recipientUrls: { ops: '$teams-url' } }),
      recipient: 'ops',
      seen: () => teams.cards.map((c) => `${c.channel}: ${String(c.card.title)} (${String(c.card.text)})`),
      expected: (pod) => `ops: ${pod} is running (${running(pod)})`,
    },
    {
      name: 'teams-workflows',
      key: 'service.teams-workflows',
      options: yaml({ recipientUrls: { ops: '$teams-workflows-url' } }),
      recipient: 'ops',
      seen: () => workflows.cards.map((c) => `${c.workflow}: ${cardTexts(c.card).join(' / ')}`),
      expected: (pod) => `ops: ${pod} is running / ${running(pod)}`,
    },
    {
      name: 'googlechat',
      key: 'service.googlechat',
      options: yaml({ webhooks: { ops: '$googlechat-url' } }),
      recipient: 'ops',
      seen: () => googlechat.messages.map((m) => `${m.space}: ${m.text}`),
      expected: (pod) => `ops: ${running(pod)}`,
    },
    {
      name: 'discord',
      key: 'service.discord',
      options: yaml({ webhooks: { ops: '$discord-url' } }),
      recipient: 'ops',
      seen: () => discord.messages.map((m) => `${m.username}: ${m.content}`),
      expected: (pod) => `Herald: ${running(pod)}`,
    },
    {
      name: 'mattermost',
      key: 'service.mattermost',
      options: yaml({ apiURL: mattermost.apiUrl, token: '$mattermost-token' }),
      recipient: mattermostChannel,
      // Sent as Argo does, through Go's JSON encoder: the attachment's keys sorted.
      seen: () => mattermost.posts.map((p) => `${p.channel_id}: ${p.message} ${JSON.stringify(p.props.attachments)}`),
      expected: (pod) => `${mattermostChannel}: ${running(pod)} [{"color":"#18be52","title":"${pod}"}]`,
    },
    {
      name: 'rocketchat',
      key: 'service.rocketchat',
      options: yaml({ serverUrl: rocketchat.serverUrl, email: rocketchat.email, password: '$rocketchat-password' }),
      recipient: '#deploys',
      seen: () => rocketchat.messages().map((m) => `${m.channel}: ${m.text} ${JSON.stringify(m.attachments)}`),
      expected: (pod) => `#deploys: ${running(pod)} [{"title":"${pod}","color":"#18be52"}]`,
    },
    {
      name: 'telegram',
      key: 'service.telegram',
      options: yaml({ token: '$telegram-token', apiURL: telegram.apiUrl }),
      recipient: telegramChat,
      seen: () => telegram.messages(telegramChat).map((m) => m.text),
      expected: running,
    },
    {
      name: 'webex',
      key: 'service.webex',
      options: yaml({ token: '$webex-token', apiURL: webex.apiUrl }),
      recipient: 'ops@example.com',
      seen: () => webex.messages().map((m) => `${m.toPersonEmail}: ${m.markdown}`),
      expected: (pod) => `ops@example.com: ${running(pod)}`,
    },
    {
      name: 'pushover',
      key: 'service.pushover',
      options: yaml({ token: '$pushover-token', apiURL: pushover.apiUrl }),
      recipient: pushoverUser,
      seen: () => pushover.messages().map((m) => `${m.user}: ${m.message}`),
      expected: (pod) => `${pushoverUser}: ${running(pod)}`,
    },
    {
      name: 'opsgenie',
      key: 'service.opsgenie',
      options: yaml({ apiUrl: opsgenie.url, apiKeys: { shop: '$opsgenie-shop-key' } }),
      recipient: 'shop',
      seen: () => opsgenie.alerts().map((a) => `${String(a.request.message)}: ${String(a.request.description)} (${String(a.request.priority)})`),
      expected: (pod) => `${running(pod)}: Pod ${namespace}/${pod} reached Running (P3)`,
    },
    {
      name: 'pagerduty',
      key: 'service.pagerduty',
      options: yaml({ token: '$pagerduty-token', from: 'oncall@example.com', serviceId: pagerduty.serviceIds[0], apiURL: pagerduty.url }),
      recipient: pagerduty.serviceIds[0]!,
      seen: () => pagerduty.incidents().map((i) => `${i.service.id} ${i.urgency} from ${i.from}: ${i.title}`),
      expected: (pod) => `${pagerduty.serviceIds[0]} low from oncall@example.com: ${pod} is running`,
    },
    {
      name: 'pagerdutyv2',
      key: 'service.pagerdutyv2',
      options: yaml({ serviceKeys: { ops: '$pagerduty-routing-key' }, apiURL: pagerdutyv2.url }),
      recipient: 'ops',
      seen: () =>
        pagerdutyv2.events().map((e) => {
          const payload = e.payload as Record<string, unknown>;
          return `${String(e.event_action)} ${String(payload.severity)} from ${String(payload.source)}: ${String(payload.summary)}`;
        }),
      expected: (pod) => `trigger info from ${namespace}: ${pod} is running`,
    },
    {
      name: 'alertmanager',
      key: 'service.alertmanager',
      options: yaml({ targets: [alertmanager.target] }),
      recipient: '',
      seen: async () => (await alertmanager.alerts()).map((a) => `${a.labels.pod}: ${a.annotations.summary}`),
      expected: (pod) => `${pod}: ${pod} is running`,
    },
    {
      name: 'github',
      key: 'service.github',
      options: yaml({ appID: String(gh.appId), installationID: gh.installationId, privateKey: '$github-privateKey', enterpriseBaseURL: gh.apiUrl }),
      recipient: '',
      seen: () => gh.state.statuses.map((s) => `${String(s.repo)}@${String(s.sha)} ${String(s.context)}: ${String(s.state)}`),
      expected: (pod) => `${github.repo}@${github.sha} herald/${pod}: success`,
    },
    {
      name: 'grafana',
      key: 'service.grafana',
      options: yaml({ apiUrl: grafana.apiUrl, apiKey: '$grafana-api-key' }),
      recipient: 'herald|pods',
      seen: () => grafana.annotations().map((a) => `${a.tags.join('|')}: ${a.text}`),
      expected: (pod) => `herald|pods: ${running(pod)}`,
    },
    {
      name: 'newrelic',
      key: 'service.newrelic',
      options: yaml({ apiKey: '$newrelic-api-key', apiURL: newrelic.apiUrl }),
      recipient: newrelicApp,
      seen: () => newrelic.deployments().map((d) => `${d.applicationId} ${d.revision}: ${d.description}`),
      expected: (pod) => `${newrelicApp} ${pod}: ${pod} is running`,
    },
    {
      name: 'awssqs',
      key: 'service.awssqs',
      options: yaml({ region: sqsRegion, queue: 'deploys', key: '$awssqs-key', secret: '$awssqs-secret', endpointUrl: sqs.endpoint }),
      recipient: '',
      // SendMessage as moto accepted it (Argo delays every message 10 s, so the queue is read by its counts).
      seen: () =>
        sqs.requests
          .filter((r) => r.operation === 'SendMessage')
          .map((r) => {
            const attributes = r.body.MessageAttributes as Record<string, { StringValue: string }>;
            return `${String(r.body.QueueUrl).split('/').at(-1)} ${attributes.pod!.StringValue}: ${String(r.body.MessageBody)}`;
          }),
      expected: (pod) => `deploys ${pod}: ${running(pod)}`,
    },
    {
      name: 'gcppubsub',
      key: 'service.gcppubsub',
      options: yaml({ topic: 'deploys', project: pubsubProject }),
      recipient: '',
      seen: () => published,
      expected: (pod) => `${pod}: ${running(pod)}`,
    },
    {
      name: 'nats',
      key: 'service.nats',
      options: yaml({ url: nats.url, headers: { 'X-Source': 'herald' } }),
      recipient: natsSubject,
      seen: () => natsMessages,
      expected: running,
    },
  ];
  sqsQueued = async () => {
    const { visible, delayed } = await queueCounts(sqsAdmin, queueUrl);
    return visible + delayed;
  };

  namespace = await cp.createNamespace('all-services');
  await applyHeraldRbac(cp, namespace);
  await core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name: 'herald-notifications-secret' },
      stringData: {
        'slack-token': slack.token,
        'teams-url': teams.webhookUrl('ops'),
        'teams-workflows-url': workflows.workflowUrl('ops'),
        'googlechat-url': googlechat.webhookUrl('ops'),
        'discord-url': discord.webhookUrl('ops'),
        'mattermost-token': mattermost.token,
        'rocketchat-password': rocketchat.password,
        'telegram-token': telegram.token,
        'webex-token': webex.token,
        'pushover-token': pushover.token,
        'opsgenie-shop-key': opsgenie.apiKeys.shop!,
        'pagerduty-token': pagerduty.token,
        'pagerduty-routing-key': pagerdutyv2.routingKeys[0]!,
        'github-privateKey': gh.privateKey,
        'grafana-api-key': grafana.apiKey,
        'newrelic-api-key': newrelic.apiKey,
        'awssqs-key': 'AKIDHERALDE2E1234',
        'awssqs-secret': 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYE2EKEY',
      },
    },
  });
  await createConfigMap(cp, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'herald-notifications-cm', namespace },
    data: {
      ...Object.fromEntries(services.map((s) => [s.key, s.options])),
      [`trigger.${trigger}`]: `- when: pod.status.phase == 'Running'\n  send: [pod-running]\n`,
      'template.pod-running': template,
    },
  });
  const types = [...new Set(services.map((s) => s.key.split('.')[1]!))];
  herald = await startHerald(
    {
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: prefix.toLowerCase(), streamPrefix: prefix },
      notifications: { namespace },
      plugins: [
        { name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace] } },
        ...types.map((type) => ({ name: `@herald/sink-${type}` })),
      ],
    },
    { KUBECONFIG: cp.restrictedKubeconfigPath, POD_NAMESPACE: namespace, PUBSUB_EMULATOR_HOST: pubsub.host },
  );
}, 300_000);

afterAll(async () => {
  await herald?.kill();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Title and text blocks of an Adaptive Card, in order. */
function cardTexts(card: unknown): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (n.type === 'TextBlock' && typeof n.text === 'string') texts.push(n.text);
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return texts;
}

async function queueCounts(admin: SQSClient, queueUrl: string): Promise<{ visible: number; delayed: number }> {
  const answer = await admin.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] }));
  return { visible: Number(answer.Attributes?.ApproximateNumberOfMessages), delayed: Number(answer.Attributes?.ApproximateNumberOfMessagesDelayed) };
}

function printHeraldLog(): void {
  process.stdout.write(`--- herald's log (last 80 lines)\n${herald?.logs().split('\n').slice(-80).join('\n')}\n`);
}

describe('one service of every type in one ConfigMap', () => {
  it('one Pod going Running reaches every remote side exactly once, rendered, and the notified annotation has one key per service', async () => {
    onTestFailed(printHeraldLog);
    expect(services).toHaveLength(22);
    await startPod('web-1');

    const want = Object.fromEntries(services.map((s) => [s.name, [s.expected('web-1')]]));
    await eventually(async () => expect(await linesFor('web-1')).toEqual(want), 120_000);
    await eventually(async () => expect(await notifiedServices('web-1')).toEqual(services.map((s) => s.name).sort()), 60_000);
    // Settled: every outcome recorded, and still one notification at each remote side.
    await waitForSettled(natsUrl, streams);
    expect(await linesFor('web-1')).toEqual(want);
    expect(await sqsQueued()).toBe(1);
  });

  it('one remote side answering 4xx: that service is dead-lettered with the API’s reason, every other one delivered', async () => {
    onTestFailed(printHeraldLog);
    discordWebhooksBreak();
    await startPod('web-2');

    const others = services.filter((s) => s.name !== 'discord');
    const want = { ...Object.fromEntries(others.map((s) => [s.name, [s.expected('web-2')]])), discord: [] };
    await eventually(async () => expect(await linesFor('web-2')).toEqual(want), 120_000);
    const letter = await eventually(async () => {
      const found = (await dlqList(herald!.configPath)).find((l) => l.about.object === `Pod ${namespace}/web-2`);
      if (!found) throw new Error('no dead letter about web-2 yet');
      return found;
    }, 60_000);
    expect(letter.about).toMatchObject({ trigger, destination: 'discord:ops' });
    expect(letter.reason).toContain('Unknown Webhook');
    expect(letter.reason).not.toContain(discordToken);

    await waitForSettled(natsUrl, streams);
    // Only Discord's notification is a dead letter (its newest: each version of the Pod tries it again, as the
    // `notified` patches for the others are versions too, as Argo tries an unsent destination again on each, and
    // each failure replaces the letter before); the others are in the annotation.
    const aboutWeb2 = (await dlqList(herald!.configPath)).filter((l) => l.about.object === `Pod ${namespace}/web-2`);
    expect(aboutWeb2.length).toBeGreaterThanOrEqual(1);
    expect(new Set(aboutWeb2.map((l) => l.about.destination))).toEqual(new Set(['discord:ops']));
    expect(await notifiedServices('web-2')).toEqual(others.map((s) => s.name).sort());
    expect(await linesFor('web-2')).toEqual(want);
    expect(await sqsQueued()).toBe(2);
  });
});
