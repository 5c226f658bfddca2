import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Dedup, STATE_EPOCH_HEADER, type DedupOptions } from '@herald/core-dedup';
import { memoryKvStore } from '@herald/core-dedup/testing';
import { HeraldError, notificationDataSchema, type BusPublisher, type BusSubscriber, type DeadLetterReason, type Delivery, type DeliveryHandler, type NotificationData, type ResourceEventData } from '@herald/plugin-sdk';
import { readConfigMapYaml } from '@herald/core-notification-config';
import { parseNotificationConfig } from '../config/parse-notification-config.ts';
import { startEvaluatorWorker } from './evaluator-worker.ts';

const seed = readConfigMapYaml(readFileSync(new URL('../../../../test/fixtures/reference-scenario.yaml', import.meta.url), 'utf8'), 'seed');
const config = parseNotificationConfig(seed).config!;
const stateKey = 'on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:';
const ref = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u-1' };

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => silent } as never;

interface WorkerOptions {
  config?: NonNullable<ReturnType<typeof parseNotificationConfig>['config']>;
  annotations?: Record<string, string>;
  /** Stands in for the bus's answer to a notification; default: stored. */
  publish?: (n: NotificationData) => void;
  logger?: never;
  clock?: { now(): Date };
  warningIntervalMs?: number;
  externalServiceTypes?: ReadonlySet<string>;
  /** Self-service: the config of the Pod's namespace (`default`). */
  namespaceConfig?: NonNullable<ReturnType<typeof parseNotificationConfig>['config']>;
  /** The apiserver a first sight may read the object from, and the state bucket's epoch now. */
  live?: { gets: string[]; stateEpoch: string };
}

async function worker(o: WorkerOptions = {}) {
  const kv = memoryKvStore();
  const live = o.live;
  const kube = live && ({ server: 'https://kube.test', get: async (path: string) => (live.gets.push(path), { metadata: { uid: 'u-1' } }) } as unknown as NonNullable<DedupOptions['kube']>);
  const dedup = new Dedup({ kv, annotationPrefix: 'notifications.argoproj.io', ...(kube && live ? { kube, stateEpoch: async () => live.stateEpoch } : {}) });
  const sent: NotificationData[] = [];
  let handler: DeliveryHandler<ResourceEventData> | undefined;
  const subscriber: BusSubscriber = {
    subscribe: async (_channel, _options, h) => {
      handler = h as DeliveryHandler<ResourceEventData>;
      return { stop: async () => undefined };
    },
  };
  const letters: { data: NotificationData; why: DeadLetterReason; id: string | undefined }[] = [];
  const publisher = {
    notification: async (n: NotificationData) => {
      o.publish?.(n);
      sent.push(n);
    },
    deadLetter: async (_channel: string, data: NotificationData, why: DeadLetterReason, options?: { id?: string }) => {
      // The bus's duplicate window: a second letter with the same id is dropped.
      if (!letters.some((l) => l.id !== undefined && l.id === options?.id)) letters.push({ data, why, id: options?.id });
    },
  } as unknown as BusPublisher;
  await startEvaluatorWorker({
    subscriber,
    publisher,
    dedup,
    logger: o.logger ?? silent,
    config: () => o.config ?? config,
    annotationPrefix: 'notifications.argoproj.io',
    variables: {},
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.warningIntervalMs ? { warningIntervalMs: o.warningIntervalMs } : {}),
    ...(o.externalServiceTypes ? { externalServiceTypes: o.externalServiceTypes } : {}),
    ...(o.namespaceConfig ? { namespaceConfig: (namespace: string) => (namespace === 'default' ? o.namespaceConfig : undefined) } : {}),
  });
  /** Hands the worker the Pod's state `phase` at `rv`, as event `id` (a redelivery reuses the id). */
  const deliver = (id: string, phase: string, rv: string, observedAt?: string, headers: Record<string, string> = {}) => {
    const object = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'default', uid: 'u-1', resourceVersion: rv, annotations: o.annotations ?? { 'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '' } },
      spec: { containers: [{ name: 'app' }] },
      status: { phase },
    };
    const delivery: Delivery<ResourceEventData> = {
      event: { specversion: '1.0', id, source: 'test', type: 'io.herald.resource.v1', time: new Date(0).toISOString(), datacontenttype: 'application/json', data: { action: 'MODIFIED', ref, resourceVersion: rv, object, ...(observedAt ? { observedAt } : {}) } },
      subject: 'herald.events.0',
      deliveryCount: 1,
      traceparent: undefined,
      headers,
    };
    return handler!(delivery);
  };
  let afterClaimRead: (() => Promise<void>) | undefined;
  const get = kv.get.bind(kv);
  // The evaluator reads an object's claims in one read of its keys.
  const readGroup = kv.readGroup.bind(kv);
  kv.readGroup = async (uid, options) => {
    const read = await readGroup(uid, options);
    if (read.entries.has(stateKey) && afterClaimRead) {
      const hook = afterClaimRead;
      afterClaimRead = undefined;
      await hook();
    }
    return read;
  };
  /** What the state role does with a successful result: the claim becomes `sent`. */
  const settle = async () => {
    const entry = (await get('u-1', stateKey))!;
    const outcome = await dedup.settle({ ref, stateKey, claimRevision: entry.revision, succeeded: true, attempts: 1, idempotencyKey: 'k', trigger: 'on-pod-ready', destination: { serviceType: 'webhook', service: 'webhook', recipient: '' } });
    expect(outcome).toBe('sent');
  };
  const onNextClaimRead = (hook: () => Promise<void>) => (afterClaimRead = hook);
  const claim = (key = stateKey) => dedup.read('u-1', key);
  return { deliver, sent, letters, claim, settle, onNextClaimRead };
}

describe('evaluator worker: plan, claim, render, publish under redelivery and concurrent settling', () => {
  it('a Running evaluated again after the Pending that followed it sends nothing', async () => {
    const w = await worker();
    await w.deliver('e1', 'Running', '10');
    await w.deliver('e2', 'Pending', '20');
    await w.deliver('e1', 'Running', '10');
    expect(w.sent.map((n) => (n.rendered.webhook as { webhook: { body: string } }).webhook.body.trim())).toEqual(['Pod web-1 is ready!']);
    expect(await w.claim()).toBeUndefined();
    // A newer Running is a new edge and fires.
    await w.deliver('e3', 'Running', '30');
    expect(w.sent).toHaveLength(2);
    expect(await w.claim()).toMatchObject({ status: 'pending', event: 'e3', rv: '30' });
  });

  it('carries when the source observed the change into the notification (delivery latency starts there), when the event says', async () => {
    const w = await worker();
    await w.deliver('e1', 'Running', '10', '2026-12-04T10:00:00.000Z');
    expect(w.sent[0]!.observedAt).toBe('2026-12-04T10:00:00.000Z');
    await w.deliver('e2', 'Pending', '20');
    await w.deliver('e3', 'Running', '30');
    expect(w.sent[1]).not.toHaveProperty('observedAt');
  });

  it('the notification carries its claim\'s time and state, as the claim records them (the result settles from them)', async () => {
    const w = await worker();
    await w.deliver('e1', 'Running', '10');
    const claim = (await w.claim())!;
    expect(w.sent[0]).toMatchObject({ claimRevision: claim.revision, claim: { at: claim.at, rv: '10' } });
  });

  it('a Pending evaluated again after the Running that followed it does not release that Running\'s claim', async () => {
    const w = await worker();
    await w.deliver('e1', 'Pending', '10');
    await w.deliver('e2', 'Running', '20');
    await w.deliver('e1', 'Pending', '10');
    expect(await w.claim()).toMatchObject({ event: 'e2', rv: '20' });
    // Still Running, later: the claim holds, nothing is sent again.
    await w.deliver('e3', 'Running', '30');
    expect(w.sent).toHaveLength(1);
  });

  it('a claim settled by the state role while a Pending releases it is still released (the next Running fires)', async () => {
    const w = await worker();
    await w.deliver('e1', 'Running', '10');
    // The sink's result arrives while the evaluator reads the claim to release it: pending → sent.
    w.onNextClaimRead(() => w.settle());
    await w.deliver('e2', 'Pending', '20');
    expect(await w.claim()).toBeUndefined();
    await w.deliver('e3', 'Running', '30');
    expect(w.sent).toHaveLength(2);
  });

  it('a redelivery of the event that made a claim still publishes it again (the bus drops the copy)', async () => {
    const w = await worker();
    await w.deliver('e1', 'Running', '10');
    await w.deliver('e1', 'Running', '10');
    expect(w.sent.map((n) => n.claimRevision)).toEqual([w.sent[0]!.claimRevision, w.sent[0]!.claimRevision]);
  });

  it('versions that are not decimal integers are never called older: events are evaluated as they come', async () => {
    const w = await worker();
    await w.deliver('e1', 'Running', 'b');
    await w.deliver('e2', 'Pending', 'c');
    await w.deliver('e3', 'Running', 'a');
    expect(w.sent).toHaveLength(2);
  });
});

const twoTriggers = parseNotificationConfig(
  readConfigMapYaml(
    `
trigger.a: |
  - when: pod.status.phase == 'Running'
    send: [second-container]
trigger.b: |
  - when: pod.status.phase == 'Running'
    send: [fine]
template.second-container: |
  webhook:
    webhook:
      method: POST
      body: '{{index .pod.spec.containers 1}}'
template.fine: |
  webhook:
    webhook:
      method: POST
      body: 'Pod {{.pod.metadata.name}} runs'
service.webhook: |
  url: http://receiver.invalid/
`,
    'two-triggers',
  ),
).config!;
const subscribedToBoth = { 'notifications.argoproj.io/subscribe.a.webhook': '', 'notifications.argoproj.io/subscribe.b.webhook': '' };
const bodies = (sent: NotificationData[]) => sent.map((n) => `${n.trigger}: ${(n.rendered.webhook as { webhook: { body: string } }).webhook.body}`);

describe('evaluator worker: the first sight of an object', () => {
  it('an event read live since the state bucket was made (its epoch the bucket\'s) is adopted as it came: no read from the apiserver', async () => {
    const live = { gets: [] as string[], stateEpoch: '2026-12-07T10:00:00.1Z' };
    const w = await worker({ live });
    await w.deliver('e1', 'Running', '10', undefined, { [STATE_EPOCH_HEADER]: live.stateEpoch });
    expect(live.gets).toEqual([]);
    expect(w.sent).toHaveLength(1);
  });

  it.each([
    ['tagged with an earlier bucket\'s epoch', { [STATE_EPOCH_HEADER]: '2026-12-01T08:00:00.5Z' }],
    ['not tagged', {}],
  ])('an event %s: the object is read from the apiserver once, then never again', async (_, headers) => {
    const live = { gets: [] as string[], stateEpoch: '2026-12-07T10:00:00.1Z' };
    const w = await worker({ live });
    await w.deliver('e1', 'Running', '10', undefined, headers);
    await w.deliver('e2', 'Pending', '11', undefined, headers);
    expect(live.gets).toEqual(['/api/v1/namespaces/default/pods/web-1']);
    expect(w.sent).toHaveLength(1);
  });
});

describe('evaluator worker: each (trigger, destination) fails alone', () => {
  it('break 3: a trigger whose template fails to render is dead-lettered alone, with the reason; the other trigger is sent', async () => {
    const w = await worker({ config: twoTriggers, annotations: subscribedToBoth });
    await w.deliver('e1', 'Running', '10');
    expect(bodies(w.sent)).toEqual(['b: Pod web-1 runs']);
    expect(w.letters).toHaveLength(1);
    const [letter] = w.letters;
    expect(letter!.data).toMatchObject({ trigger: 'a', template: 'second-container', destination: { service: 'webhook' }, ref: { name: 'web-1' } });
    expect(letter!.why.code).toBe('HERALD_ERR_TEMPLATE_RUNTIME');
    expect(letter!.why.reason).toMatch(/^cannot render trigger a \(template second-container\) to webhook for Pod default\/web-1: template\.second-container: .*index/);
    // Its claim is given back: the next change of the object tries again. b's stays until its result.
    expect(await w.claim(letter!.data.stateKey)).toBeUndefined();
    expect(await w.claim(w.sent[0]!.stateKey)).toMatchObject({ status: 'pending' });
  });

  it('a trigger that sends an undefined template loads; its send is dead-lettered with the reason, the other trigger is sent', async () => {
    const { config: c, issues } = parseNotificationConfig({
      data: {
        'trigger.a': "- when: pod.status.phase == 'Running'\n  send: [missing]",
        'trigger.b': "- when: pod.status.phase == 'Running'\n  send: [fine]",
        'template.fine': "webhook:\n  webhook:\n    method: POST\n    body: 'Pod {{.pod.metadata.name}} runs'",
        'service.webhook': 'url: http://receiver.invalid/',
      },
    });
    expect(issues.map((i) => `${i.severity} ${i.key}`)).toEqual(['warning trigger.a[0].send']);
    const w = await worker({ config: c!, annotations: subscribedToBoth });
    await w.deliver('e1', 'Running', '10');
    expect(bodies(w.sent)).toEqual(['b: Pod web-1 runs']);
    expect(w.letters.map((l) => [l.data.trigger, l.why.code, l.why.reason])).toEqual([
      ['a', 'HERALD_ERR_TEMPLATE_RUNTIME', 'cannot render trigger a (template missing) to webhook for Pod default/web-1: template.missing: is not defined in the config'],
    ]);
    expect(await w.claim(w.letters[0]!.data.stateKey)).toBeUndefined();
  });

  it('break 3: a broken template dead-letters once per change of the object, not on every redelivery of the same event', async () => {
    const w = await worker({ config: twoTriggers, annotations: subscribedToBoth });
    await w.deliver('e1', 'Running', '10');
    await w.deliver('e1', 'Running', '10');
    expect(w.letters).toHaveLength(1);
    await w.deliver('e2', 'Running', '11');
    expect(w.letters.map((l) => l.data.trigger)).toEqual(['a', 'a']);
    expect(w.sent.map((n) => n.trigger)).toEqual(['b', 'b']); // the redelivery publishes b's claim again; the bus drops the copy
  });

  it('break 3: a notification the bus refuses (over its max payload) is dead-lettered with the bus\'s reason, and its claim released', async () => {
    const tooLarge = (n: NotificationData) => {
      if (n.trigger === 'b') throw new HeraldError('HERALD_ERR_BUS_PUBLISH_REJECTED', `${n.idempotencyKey} is 2000000 bytes, more than the 1047552 bytes HERALD_NOTIFICATIONS takes`, { retryable: false });
    };
    const only = { 'notifications.argoproj.io/subscribe.b.webhook': '' };
    const w = await worker({ config: twoTriggers, annotations: only, publish: tooLarge });
    await w.deliver('e1', 'Running', '10');
    expect(w.sent).toEqual([]);
    expect(w.letters).toHaveLength(1);
    expect(w.letters[0]!.why).toMatchObject({ code: 'HERALD_ERR_BUS_PUBLISH_REJECTED', reason: expect.stringMatching(/^cannot publish trigger b \(template fine\) to webhook for Pod default\/web-1: .* is 2000000 bytes/) as unknown });
    // The letter keeps what the notification was about, not the rendered payload that did not fit.
    expect(w.letters[0]!.data.rendered).toEqual({});
    expect(await w.claim(w.letters[0]!.data.stateKey)).toBeUndefined();
  });

  it('a publish that times out is still the event\'s failure (retried by the bus), not a dead letter', async () => {
    const timesOut = () => {
      throw new HeraldError('HERALD_ERR_BUS_PUBLISH_TIMEOUT', 'no acknowledgement', { retryable: true });
    };
    const w = await worker({ config: twoTriggers, annotations: { 'notifications.argoproj.io/subscribe.b.webhook': '' }, publish: timesOut });
    await expect(w.deliver('e1', 'Running', '10')).rejects.toThrow('no acknowledgement');
    expect(w.letters).toEqual([]);
  });
});

describe('evaluator worker: warnings', () => {
  it('subscription warnings are rate-limited per object: once per (object, problem) per interval', async () => {
    const warned: { problem: string; suppressed?: number }[] = [];
    const logger = { ...(silent as object), warn: (fields: { problem: string; suppressed?: number }) => void warned.push(fields), child: () => logger } as never;
    let now = 0;
    const clock = { now: () => new Date(now) };
    const w = await worker({ annotations: { 'notifications.argoproj.io/subscribe.no-such-trigger.webhook': '' }, logger, clock, warningIntervalMs: 60_000 });
    await w.deliver('e1', 'Running', '10');
    await w.deliver('e2', 'Pending', '11');
    await w.deliver('e3', 'Running', '12');
    expect(warned).toEqual([{ object: 'Pod default/web-1', problem: 'trigger "no-such-trigger" is not defined in the config' }]);
    now = 60_000;
    await w.deliver('e4', 'Pending', '13');
    expect(warned).toHaveLength(2);
    expect(warned[1]).toMatchObject({ suppressed: 2 });
  });

  it('a notification for a sink outside Herald carries its service options with secret references, never a secret value', async () => {
    const token = 's3cr3t-t0ken-value';
    const data = {
      ...seed.data,
      'service.webhook.webhook': 'url: http://example.test/hook\nheaders:\n- name: Authorization\n  value: Bearer $token\n',
      'service.pager': 'url: http://pager.test/$missing\nheaders:\n- name: Authorization\n  value: Bearer $token\nretries: 3\n',
      'subscriptions': '- recipients: [pager:oncall]\n  triggers: [on-pod-ready]\n',
    };
    const external = parseNotificationConfig({ data, secrets: { token } }, { secretSource: { name: 'herald-notifications-secret', namespace: 'ops' } }).config!;
    const w = await worker({ config: external, externalServiceTypes: new Set(['pager']) });
    await w.deliver('e1', 'Running', '10');
    const byService = Object.fromEntries(w.sent.map((n) => [n.destination.service, n.destination]));
    expect(byService.pager).toEqual({
      serviceType: 'pager',
      service: 'pager',
      recipient: 'oncall',
      // As written: `$missing` is not in the Secret, so it has no reference and stays, as Argo leaves it.
      options: { url: 'http://pager.test/$missing', headers: [{ name: 'Authorization', value: 'Bearer $token' }], retries: 3 },
      secretRefs: { token: { name: 'herald-notifications-secret', namespace: 'ops', key: 'token' } },
    });
    // A type Herald's own sink delivers travels as before: that sink reads its options from the config itself.
    expect(byService.webhook).toEqual({ serviceType: 'webhook', service: 'webhook', recipient: '' });
    expect(JSON.stringify(w.sent)).not.toContain(token);
    for (const n of w.sent) expect(notificationDataSchema.parse(n)).toEqual(n);
  });
});

describe('evaluator worker: self-service, a namespace’s own config', () => {
  const team = (data: Record<string, string>) => parseNotificationConfig({ data, secrets: { token: 'team-token' } }, { secretSource: { name: 'herald-notifications-secret', namespace: 'default' } }).config!;
  const ready = `- when: pod.status.phase in ['Running']\n  send: [team-ready]\n`;
  const teamData = { 'trigger.on-team-ready': ready, 'trigger.on-pod-ready': ready, 'template.team-ready': 'message: team {{.pod.metadata.name}}\n', 'service.webhook.team': 'url: http://team.test/$token\n' };

  it('both configs plan on their own: Argo’s state keys, the namespace on its destinations, each config’s templates', async () => {
    const w = await worker({
      namespaceConfig: team(teamData),
      annotations: {
        'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '',
        'notifications.argoproj.io/subscribe.on-pod-ready.team': '',
        'notifications.argoproj.io/subscribe.on-team-ready.team': 'ops',
      },
    });
    await w.deliver('e1', 'Running', '10');
    const sent = w.sent.map((n) => [n.stateKey, n.destination, n.rendered.message]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const team0 = '[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go';
    expect(sent).toEqual([
      ['default:on-pod-ready:' + team0 + ':team:', { serviceType: 'webhook', service: 'team', recipient: '', configNamespace: 'default' }, 'team web-1'],
      ['default:on-team-ready:' + team0 + ':team:ops', { serviceType: 'webhook', service: 'team', recipient: 'ops', configNamespace: 'default' }, 'team web-1'],
      // The seed's template, which has a webhook block only.
      [stateKey, { serviceType: 'webhook', service: 'webhook', recipient: '' }, undefined],
    ]);
    for (const n of w.sent) expect(notificationDataSchema.parse(n)).toEqual(n);
    // Turned false, each config releases its own claims: Running again sends all three again.
    await w.deliver('e2', 'Pending', '11');
    await w.deliver('e3', 'Running', '12');
    expect(w.sent).toHaveLength(6);
  });

  it('a service or trigger one config lacks is not a warning when the other defines it; one neither defines is warned once', async () => {
    const warned: string[] = [];
    const logger = { ...(silent as object), warn: (fields: { problem: string }) => void warned.push(fields.problem), child: () => logger } as never;
    const w = await worker({
      namespaceConfig: team(teamData),
      logger,
      annotations: {
        'notifications.argoproj.io/subscribe.on-team-ready.team': '',
        'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '',
        'notifications.argoproj.io/subscribe.on-pod-ready.nowhere': '',
      },
    });
    await w.deliver('e1', 'Running', '10');
    expect(w.sent.map((n) => n.destination.service).sort()).toEqual(['team', 'webhook']);
    expect(warned).toEqual(['notifications.argoproj.io/subscribe.on-pod-ready.nowhere: service "nowhere" is not defined in the config']);
  });
});
