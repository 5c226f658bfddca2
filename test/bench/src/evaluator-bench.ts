// Evaluations per second of a realistic notification config (5 triggers, 3 templates, 3 destinations) on
// one core: trigger evaluation, a whole object's plan, and rendering. Pure CPU: no bus, no cluster.
// Writes the numbers as JSON (BENCH_EVALUATOR_OUT, default bench-evaluator.json).
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Evaluator, parseNotificationConfig } from '@herald/core-evaluator';

const seconds = Number(process.env.BENCH_SECONDS ?? 2);

const { config, issues } = parseNotificationConfig({
  data: {
    'trigger.on-pod-ready': "- when: pod.status.phase in ['Running']\n  send: [pod-ready]",
    'trigger.on-pod-failed': "- when: pod.status.phase == 'Failed'\n  send: [pod-ready, pod-status]",
    'trigger.on-crash-loop': '- when: any(pod.status.containerStatuses, {.restartCount > 3})\n  send: [pod-status]',
    'trigger.on-image-change': "- when: pod.status.phase == 'Running'\n  oncePer: pod.spec.containers[0].image\n  send: [pod-status]",
    'trigger.on-not-ready': [
      "- when: pod.status.phase == 'Running' and any(pod.status.conditions, {.type == 'Ready' and .status == 'False'}) and time.Now().Sub(time.Parse(pod.status.startTime)).Minutes() >= 5",
      '  send: [pod-email]',
    ].join('\n'),
    'template.pod-ready': 'webhook:\n  hook:\n    method: POST\n    body: |\n      {"pod": "{{.pod.metadata.name}}", "namespace": "{{.pod.metadata.namespace}}", "phase": "{{.pod.status.phase}}"}',
    'template.pod-status': [
      'message: |',
      '  Pod {{.pod.metadata.namespace}}/{{.pod.metadata.name}} is {{.pod.status.phase}}.',
      '  {{range $i, $c := .pod.status.containerStatuses}}{{if $i}}, {{end}}{{$c.name}} restarts={{$c.restartCount}}{{end}}',
    ].join('\n'),
    'template.pod-email': 'email:\n  subject: "{{.pod.metadata.name}} not ready"\n  body: "{{.pod.metadata.name | upper}} has not been ready since {{.pod.status.startTime}}"',
    'service.webhook.hook': 'url: http://hook.example/',
    'service.slack': 'token: x',
    'service.email': 'host: smtp.example',
    defaultTriggers: '- on-pod-ready\n- on-pod-failed\n- on-crash-loop\n- on-image-change\n- on-not-ready',
  },
});
if (!config) throw new Error(`bench config does not parse: ${JSON.stringify(issues)}`);

// A Pod of realistic size (about 3 KiB of JSON) subscribed to three destinations.
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-7d9f8c6b5-x2x4z',
    namespace: 'shop',
    uid: 'a1b2c3',
    labels: { app: 'web', tier: 'frontend', 'pod-template-hash': '7d9f8c6b5' },
    annotations: {
      'notifications.argoproj.io/subscribe.hook': '',
      'notifications.argoproj.io/subscribe.slack': 'alerts',
      'notifications.argoproj.io/subscribe.email': 'ops@example.com',
    },
  },
  spec: { containers: Array.from({ length: 3 }, (_, i) => ({ name: `c${i}`, image: `registry.example/app:${i}`, env: Array.from({ length: 10 }, (_, j) => ({ name: `VAR_${j}`, value: 'x'.repeat(40) })) })) },
  status: {
    phase: 'Running',
    startTime: '2026-11-25T00:00:00Z',
    conditions: [{ type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }],
    containerStatuses: Array.from({ length: 3 }, (_, i) => ({ name: `c${i}`, ready: true, restartCount: i })),
  },
};

const evaluator = new Evaluator(config, { varName: 'pod' });
const triggers = [...config.triggers.keys()];

function measure(what: string, body: (i: number) => unknown): number {
  for (let i = 0; i < 2_000; i++) body(i); // warm up
  let n = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) for (let k = 0; k < 200; k++) body(n++);
  const perSecond = Math.round(n / ((performance.now() - started) / 1000));
  console.log(`  ${what.padEnd(44)} ${perSecond.toLocaleString('en-US').padStart(10)} /s`);
  return perSecond;
}

console.log(`evaluator, one core (node ${process.version}), ${JSON.stringify(pod).length}-byte Pod, ${triggers.length} triggers, 3 templates, 3 destinations`);
const plan = evaluator.plan(pod);
if (plan.decisions.length !== triggers.length * 3) throw new Error(`expected ${triggers.length * 3} decisions, got ${plan.decisions.length}`);
const results = {
  triggerEvaluationsPerSecond: measure('trigger evaluations (runTrigger)', (i) => evaluator.runTrigger(triggers[i % triggers.length]!, pod)),
  plansPerSecond: measure(`object plans (${plan.decisions.length} decisions each)`, () => evaluator.plan(pod)),
  rendersPerSecond: measure('notifications rendered (2 templates, slack)', () => evaluator.render(['pod-ready', 'pod-status'], pod, { serviceType: 'slack', service: 'slack', recipient: 'alerts' })),
  node: process.version,
};
const out = process.env.BENCH_EVALUATOR_OUT ?? 'bench-evaluator.json';
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`written to ${out}`);
