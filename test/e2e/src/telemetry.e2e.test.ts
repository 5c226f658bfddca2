import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, startJaeger, startNats, startPrometheus, testNatsLimits, toolPath, type ControlPlane, type JaegerServer, type JaegerSpan, type NatsServer, type PromSample } from '@herald/test-harness';
import { applyHeraldRbac, createConfigMap } from './support/cluster-setup.ts';
import { startHerald, type HeraldProcess } from './support/herald-process.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

// One notification, four OS processes (one per role), one trace in a real Jaeger; /metrics, /healthz and
// /readyz of each process; and no secret of the service config anywhere an operator can read.

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const HEADER_SECRET = 'hdr-s3cr3t-7f1c9a';
const BASIC_SECRET = 'basic-pa55-2b8e4d';
const ROLES = ['source', 'evaluator', 'sink', 'state'] as const;
const alertRules = fileURLToPath(new URL('../../../deploy/helm/herald/files/alerts.yaml', import.meta.url));

let cp: ControlPlane;
let nats: NatsServer;
let jaeger: JaegerServer;
let receiver: WebhookReceiver;
const heralds = new Map<string, HeraldProcess>();
let namespace: string;

beforeAll(async () => {
  [cp, nats, jaeger, receiver] = await Promise.all([startControlPlane(), startNats(), startJaeger(), startWebhookReceiver()]);
  namespace = await cp.createNamespace('telemetry');
  await applyHeraldRbac(cp, namespace);
  await createConfigMap(cp, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'herald-notifications-cm', namespace },
    data: {
      'trigger.on-running': "- when: pod.status.phase == 'Running'\n  send: [pod-running]\n",
      'template.pod-running': 'webhook:\n  hook:\n    method: POST\n    body: "pod={{.pod.metadata.name}}"\n',
      'service.webhook.hook': `url: ${receiver.url}/notify\nheaders:\n- name: X-Token\n  value: $hook-token\nbasicAuth:\n  username: herald\n  password: $hook-password\n`,
    },
  });
  await cp.adminKubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace,
    body: { metadata: { name: 'herald-notifications-secret', namespace }, stringData: { 'hook-token': HEADER_SECRET, 'hook-password': BASIC_SECRET } },
  });
  const config = {
    nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'tel', streamPrefix: 'TEL' },
    notifications: { namespace },
    log: { level: 'debug' },
    telemetry: { port: 0, host: '127.0.0.1' },
    // The heap handed back after 2 s quiet rather than 30 s: where node exposes gc (the evaluator, below).
    memory: { quietFor: '2s' },
    plugins: [
      { name: '@herald/source-kubernetes', options: { resources: [{ version: 'v1', resource: 'pods', kind: 'Pod' }], namespaces: [namespace] } },
      { name: '@herald/sink-webhook' },
    ],
  };
  const env = {
    KUBECONFIG: cp.restrictedKubeconfigPath,
    POD_NAMESPACE: namespace,
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_SERVICE_NAME: 'herald-e2e',
    // Export within a fraction of a second rather than 5 s.
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  // The state role first: it owns the state consumers; the source last, once everyone listens.
  for (const role of ['state', 'sink', 'evaluator', 'source'] as const) {
    // The evaluator as the image runs node (--expose-gc): it hands its heap back once quiet; the others cannot.
    const node = role === 'evaluator' ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() } : {};
    heralds.set(role, await startHerald(config, { ...env, ...node, POD_NAME: `herald-${role}` }, ['--role', role]));
  }
});

afterAll(async () => {
  await Promise.all([...heralds.values()].map((h) => h.stop()));
  await Promise.all([cp?.stop(), nats?.stop(), jaeger?.stop(), receiver?.close()]);
});

function portOf(h: HeraldProcess): number {
  const running = h.stdout().split('\n').map((l) => (l.startsWith('{') ? (JSON.parse(l) as { event?: string; telemetryPort?: number }) : {})).find((l) => l.event === 'running');
  return running!.telemetryPort!;
}

async function get(h: HeraldProcess, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${portOf(h)}${path}`);
  return { status: response.status, body: await response.text() };
}

const tag = (s: JaegerSpan, key: string) => s.tags.find((t) => t.key === key)?.value;
const parentOf = (s: JaegerSpan) => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID;

describe('telemetry across processes', () => {
  let traceId: string;
  let spans: JaegerSpan[] = [];

  it('shows one notification as one trace in Jaeger, from the observed change to the annotation patch, each attempt in it', async () => {
    const core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
    // The first attempt is refused: the trace shows it, and the retry that delivered.
    receiver.failNext(503);
    await core.createNamespacedPod({ namespace, body: { metadata: { name: 'traced', annotations: { 'notifications.argoproj.io/subscribe.on-running.hook': '' } }, spec: { containers: [{ name: 'app', image: 'app' }] } } });
    await core.patchNamespacedPodStatus({ name: 'traced', namespace, body: { status: { phase: 'Running' } } }, mergePatch);
    const [request] = await receiver.waitFor(2, (r) => r.body === 'pod=traced').catch((err: Error) => {
      const tails = [...heralds].map(([role, h]) => `--- ${role}\n${h.logs().split('\n').slice(-15).join('\n')}`);
      throw new Error(`${err.message}\n${tails.join('\n')}`);
    });
    // The webhook carries the trace on to the receiver.
    traceId = String(request!.headers.traceparent).split('-')[1]!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    spans = await until(
      () => jaeger.trace(traceId),
      (found) => found.some((s) => s.operationName === 'patch annotation'),
      `trace ${traceId} complete in Jaeger`,
    );
    const byName = (name: string) => spans.filter((s) => s.operationName.startsWith(name));
    const one = (name: string) => {
      const found = byName(name);
      expect(found, `${name} in ${spans.map((s) => s.operationName).join(', ')}`).toHaveLength(1);
      return found[0]!;
    };
    const observe = one('observe Pod');
    expect(parentOf(observe)).toBeUndefined();
    expect(tag(observe, 'herald.object')).toBe(`${namespace}/traced`);
    expect(tag(observe, 'herald.action')).toBe('MODIFIED');

    const evaluate = one('evaluate');
    const notify = one('notify on-running');
    expect(parentOf(notify)).toBe(evaluate.spanID);
    expect(tag(notify, 'herald.dedup')).toBe('claimed');
    expect(tag(notify, 'herald.service.name')).toBe('hook');
    const render = one('render pod-running');
    expect(parentOf(render)).toBe(notify.spanID);

    const attempts = byName('deliver webhook').sort((a, b) => Number(tag(a, 'herald.attempt')) - Number(tag(b, 'herald.attempt')));
    expect(attempts.map((s) => [tag(s, 'herald.attempt'), tag(s, 'herald.outcome')])).toEqual([
      [1, 'retrying'],
      [2, 'sent'],
    ]);
    const deliver = attempts[1]!;
    const requests = byName('POST 127.0.0.1');
    expect(requests.map((http) => [attempts.findIndex((a) => a.spanID === parentOf(http)) + 1, tag(http, 'http.response.status_code'), tag(http, 'span.kind')]).sort()).toEqual([
      [1, 503, 'client'],
      [2, 200, 'client'],
    ]);

    const settle = one('settle');
    expect(tag(settle, 'herald.succeeded')).toBe(true);
    const patch = one('patch annotation');
    expect(parentOf(patch), JSON.stringify(patch.references)).toBe(settle.spanID);

    // Messaging spans on every hop: publish (producer) and process (consumer) in each process.
    const publishes = byName('publish ');
    expect(publishes.map((s) => tag(s, 'messaging.system'))).toEqual(publishes.map(() => 'nats'));
    expect(publishes.length).toBeGreaterThanOrEqual(3);
    expect(byName('process ').length).toBeGreaterThanOrEqual(3);
    // The chain holds across processes: each stage's process span is a child of the previous publish.
    for (const consumer of byName('process ')) {
      const parent = spans.find((s) => s.spanID === parentOf(consumer));
      expect(parent?.operationName).toMatch(/^publish /);
    }

    // Four OS processes, each with its roles and pod on the resource.
    const processes = new Map(spans.map((s) => [String(s.process.tags.find((t) => t.key === 'herald.roles')?.value), s.process]));
    expect([...processes.keys()].sort()).toEqual([...ROLES].sort());
    expect(processes.get('sink')!.tags.find((t) => t.key === 'k8s.pod.name')?.value).toBe('herald-sink');
    expect(processes.get('sink')!.serviceName).toBe('herald-e2e');
    expect(observe.process.tags.find((t) => t.key === 'herald.roles')?.value).toBe('source');
    expect(deliver.process.tags.find((t) => t.key === 'herald.roles')?.value).toBe('sink');
  });

  it('counts the delivery and the trigger evaluation under Argo’s names on /metrics', async () => {
    const sink = await until(
      () => get(heralds.get('sink')!, '/metrics'),
      (m) => /^notifications_deliveries_total\{[^}]*\} 1$/m.test(m.body),
      'the delivery counted',
    );
    expect(sink.body).toMatch(/^notifications_deliveries_total\{trigger="on-running",service="hook",succeeded="true"[^}]*\} 1$/m);
    expect(sink.body).toMatch(/^herald_delivery_latency_seconds_count\{herald_service_type="webhook"[^}]*\} 1$/m);
    const evaluator = await get(heralds.get('evaluator')!, '/metrics');
    // Running (sent), then Running again once the annotation patch changed the Pod (already notified).
    expect(evaluator.body).toMatch(/^notifications_trigger_eval_total\{name="on-running",triggered="true"[^}]*\} [12]$/m);
    expect(evaluator.body).toMatch(/^notifications_trigger_eval_total\{name="on-running",triggered="false"[^}]*\} 1$/m);

    // Prometheus' own linter (built by scripts/dev for the e2e tier) on every process's /metrics.
    const promtool = toolPath('HERALD_PROMTOOL', 'prometheus', 'promtool');
    for (const role of ROLES) {
      const { body } = await get(heralds.get(role)!, '/metrics');
      const check = spawnSync(promtool, ['check', 'metrics'], { input: body, encoding: 'utf8' });
      expect(check.status, `promtool check metrics (${role}):\n${check.stdout}${check.stderr}`).toBe(0);
    }
  });

  it('is scraped by a real Prometheus: PromQL counts the delivery, and finds the bus, delivery and source gauges; Herald\'s alerting rules evaluate, none firing', async () => {
    const prometheus = await startPrometheus({ targets: ROLES.map((role) => `127.0.0.1:${portOf(heralds.get(role)!)}`), ruleFiles: [alertRules] });
    const value = async (promql: string, expected: number) => {
      const samples = await until(() => prometheus.query(promql), (r: PromSample[]) => r.length === 1 && r[0]!.value === expected, `${promql} = ${expected}`);
      return samples[0]!;
    };
    try {
      await value('sum(notifications_deliveries_total{trigger="on-running",service="hook",succeeded="true"})', 1);
      await value('sum(herald_delivery_latency_seconds_count{herald_service_type="webhook"})', 1);
      // The backlog of the sink's durable, as the server tells it (every consumer of it reports the same).
      const pending = await value('max by (stream, durable) (herald_bus_consumer_pending{durable="herald-sink-webhook"})', 0);
      expect(pending.metric).toEqual({ stream: 'TEL_NOTIFICATIONS', durable: 'herald-sink-webhook' });
      await value('max(herald_bus_consumer_ack_pending{durable="herald-sink-webhook"})', 0);
      // The one evaluator pulls on every partition of the events.
      await value('sum(herald_bus_partitions_owned{durable="herald-evaluator"})', 16);
      await value('max(herald_bus_dead_letters)', 0);
      await value('sum(herald_delivery_in_flight{herald_service_type="webhook"})', 0);
      await value('sum(herald_source_kubernetes_is_leader)', 1);
      // What each process uses, for sizing (docs/guides/scaling.md): every role's RSS, CPU time and V8 heap.
      await value('count(process_memory_usage > 16e6)', ROLES.length);
      await value('count(sum by (instance) (process_cpu_time_total) > 0)', ROLES.length);
      await value('count(sum by (instance) (v8js_memory_heap_used) > 1e6)', ROLES.length);
      // Every query of the Grafana dashboard is one Prometheus accepts.
      const dashboard = JSON.parse(readFileSync(new URL('../../../deploy/helm/herald/files/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
      for (const panel of dashboard.panels) {
        for (const { expr } of panel.targets) {
          await expect(prometheus.query(expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '5m')), panel.title).resolves.toBeInstanceOf(Array);
        }
      }
      // Herald's alerting rules (docs/operations/alerts.md) on a healthy Herald: each evaluated without an error
      // (a rule whose vector matching the real series broke would say so here), and none pending or firing.
      const rules = await until(() => prometheus.rules(), (r) => r.length > 0 && r.every((rule) => rule.health !== 'unknown'), 'every alerting rule evaluated');
      expect(rules.map((r) => ({ name: r.name, health: r.health, lastError: r.lastError ?? '', state: r.state }))).toEqual(
        rules.map((r) => ({ name: r.name, health: 'ok', lastError: '', state: 'inactive' })),
      );
      expect(rules.map((r) => r.name)).toContain('HeraldNotificationsFailed');
    } finally {
      await prometheus.stop();
    }
  });

  it('hands the heap back once quiet where node exposes gc, counted on /metrics, and says why not elsewhere', async () => {
    const evaluator = await until(
      () => get(heralds.get('evaluator')!, '/metrics'),
      (m) => /^herald_process_memory_releases_total(\{[^}]*\})? [1-9]/m.test(m.body),
      'a release counted',
    );
    expect(evaluator.body).toMatch(/^herald_process_memory_released_bytes_total(\{[^}]*\})? [1-9]/m);
    const released = heralds.get('evaluator')!.logs().split('\n').find((l) => l.includes('"released idle memory"'));
    expect(JSON.parse(released!)).toMatchObject({ heapBefore: expect.any(Number), heapAfter: expect.any(Number) });
    expect(heralds.get('sink')!.logs()).toContain('node runs without --expose-gc');
    expect((await get(heralds.get('sink')!, '/metrics')).body).not.toContain('herald_process_memory_releases_total');
  });

  it('answers /healthz and /readyz in each process', async () => {
    for (const role of ROLES) {
      const h = heralds.get(role)!;
      expect((await get(h, '/healthz')).status).toBe(200);
      const ready = await get(h, '/readyz');
      expect(ready.status, ready.body).toBe(200);
      // The source check: the source process holds the Lease and has published its first list.
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready', checks: { nats: 'ok', streams: 'ok', plugins: 'ok', source: 'ok' } });
    }
  });

  it('puts the trace on the log lines of the delivery, and one line per decision', () => {
    const lines = heralds
      .get('sink')!
      .logs()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const sent = lines.find((l) => l.msg === 'sent');
    expect(sent).toMatchObject({ level: 'info', trace_id: traceId, object: `${namespace}/traced` });
    const published = heralds.get('evaluator')!.logs().split('\n').find((l) => l.includes('"notification published"'));
    expect(JSON.parse(published!)).toMatchObject({ level: 'info', trace_id: traceId });
  });

  it('never shows a secret of the service config in logs, span attributes or metric labels', async () => {
    const everything = await jaeger.spansOf('herald-e2e');
    expect(everything.length).toBeGreaterThan(10);
    const texts = [
      ...[...heralds.values()].flatMap((h) => [h.logs(), h.stdout()]),
      ...everything.map((s) => JSON.stringify([s.operationName, s.tags, s.process])),
      ...(await Promise.all(ROLES.map(async (role) => (await get(heralds.get(role)!, '/metrics')).body))),
    ];
    const basic = Buffer.from(`herald:${BASIC_SECRET}`).toString('base64');
    for (const secret of [HEADER_SECRET, BASIC_SECRET, basic]) {
      const leaks = texts.filter((t) => t.includes(secret));
      expect(leaks, `secret ${secret} leaked`).toEqual([]);
    }
    // The receiver did get them: the test would notice if the secrets were not in play.
    expect(receiver.requests.map((r) => r.status)).toEqual([503, 200]);
    expect(receiver.requests[0]!.headers['x-token']).toBe(HEADER_SECRET);
    expect(receiver.requests[0]!.headers.authorization).toBe(`Basic ${basic}`);
  });

  it('alerts in a real Prometheus when a notification fails for good: its first failure, which appears as a new series, fires HeraldNotificationsFailed', async () => {
    const prometheus = await startPrometheus({ targets: ROLES.map((role) => `127.0.0.1:${portOf(heralds.get(role)!)}`), ruleFiles: [alertRules] });
    try {
      await until(() => prometheus.rules(), (r) => r.length > 0 && r.every((rule) => rule.health === 'ok'), 'every alerting rule evaluated');
      // A refusal (404) is final: one attempt, a dead letter, notifications_deliveries_total{succeeded="false"} 1.
      receiver.failNext(404);
      const core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
      await core.createNamespacedPod({ namespace, body: { metadata: { name: 'refused', annotations: { 'notifications.argoproj.io/subscribe.on-running.hook': '' } }, spec: { containers: [{ name: 'app', image: 'app' }] } } });
      await core.patchNamespacedPodStatus({ name: 'refused', namespace, body: { status: { phase: 'Running' } } }, mergePatch);
      const firing = await until(
        () => prometheus.rules(),
        (r) => r.some((rule) => rule.name === 'HeraldNotificationsFailed' && rule.state === 'firing'),
        'HeraldNotificationsFailed firing',
      );
      const failed = firing.find((r) => r.name === 'HeraldNotificationsFailed')!;
      expect(failed.alerts!.map((a) => a.labels)).toEqual([{ alertname: 'HeraldNotificationsFailed', job: 'herald', trigger: 'on-running', service: 'hook', severity: 'warning' }]);
      expect(failed.alerts![0]!.annotations.summary).toBe('Notifications of on-running to hook failed for good.');
      // The dead letter it left waits: that alert is pending (it fires after an hour), the others stay quiet.
      const states = Object.fromEntries((await prometheus.rules()).map((r) => [r.name, r.state]));
      expect(states).toMatchObject({ HeraldDeadLetters: 'pending', HeraldDestinationCircuitOpen: 'inactive', HeraldNoSourceLeader: 'inactive', HeraldBacklog: 'inactive' });
    } finally {
      await prometheus.stop();
    }
  });
});

/** Polls `fn` until `ok` holds (a minute at most): spans and metrics arrive a moment after the delivery. */
async function until<T>(fn: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await fn();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`never happened: ${what}; last: ${JSON.stringify(value).slice(0, 2000)}`);
    await delay(200);
  }
}
