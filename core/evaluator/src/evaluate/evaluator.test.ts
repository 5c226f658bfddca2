import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NotificationConfigService, readConfigMapYaml } from '@herald/core-notification-config';
import type { Logger } from '@herald/plugin-sdk';
import { configCompilers } from '../config/config-compilers.ts';
import { parseNotificationConfig } from '../config/parse-notification-config.ts';
import { Evaluator } from './evaluator.ts';

const seed = readConfigMapYaml(readFileSync(new URL('../../../../test/fixtures/reference-scenario.yaml', import.meta.url), 'utf8'), 'seed');
const seedConfig = parseNotificationConfig(seed).config!;

const pod = (phase: string, annotations: Record<string, string> = { 'notifications.argoproj.io/subscribe.on-pod-ready.webhook': '' }) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: 'u-1', annotations, labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
  status: { phase },
});

describe('evaluator: the reference scenario', () => {
  const evaluator = new Evaluator(seedConfig, { varName: 'pod' });

  it.each([
    ['Running', true],
    ['Pending', false],
    ['Succeeded', false],
  ])('a %s Pod: triggered=%s', (phase, triggered) => {
    expect(evaluator.runTrigger('on-pod-ready', pod(phase))).toEqual([
      { trigger: 'on-pod-ready', index: 0, key: '[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go', when: "pod.status.phase in ['Running']", triggered, oncePer: undefined, templates: ['pod-ready'], problem: undefined },
    ]);
  });

  it('plans one decision with Argo\'s state key for the annotated Pod', () => {
    const { decisions, problems } = evaluator.plan(pod('Running'));
    expect(problems).toEqual([]);
    expect(decisions).toEqual([
      expect.objectContaining({
        trigger: 'on-pod-ready',
        destination: { serviceType: 'webhook', service: 'webhook', recipient: '' },
        stateKey: 'on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:',
        triggered: true,
        oncePer: false,
      }),
    ]);
    expect(evaluator.plan(pod('Pending')).decisions[0]!.triggered).toBe(false);
    expect(evaluator.plan(pod('Running', {})).decisions).toEqual([]);
  });

  it('renders the webhook body of the reference template', () => {
    const rendered = evaluator.render(['pod-ready'], pod('Running'), { serviceType: 'webhook', service: 'webhook', recipient: '' });
    expect(rendered).toEqual({ webhook: { webhook: { method: 'GET', path: '/', body: 'Pod web-1 is ready!\n' } } });
  });
});

describe('evaluator: conditions, oncePer and rendering', () => {
  const { config, issues } = parseNotificationConfig({
    data: {
      'trigger.on-image': [
        "- when: pod.status.phase == 'Running'",
        '  oncePer: pod.spec.containers[0].image',
        '  send: [base, extra]',
        '- when: pod.status.phase.foo.bar == 1',
        '  send: [base]',
        '- when: pod.metadata.name',
        '  send: [base]',
      ].join('\n'),
      'template.base': 'message: "{{.pod.metadata.name}} for {{.recipient}} via {{.serviceType}}"\nwebhook:\n  hook:\n    method: POST\n    body: base',
      'template.extra': 'message: ""\nwebhook:\n  hook:\n    body: "extra {{.context.env}}"\n  other:\n    body: x',
      'service.webhook.hook': 'url: http://x',
      context: 'env: prod',
    },
  });

  it('parses', () => expect(issues).toEqual([]));

  it('evaluates oncePer only when triggered and keys the state with it', () => {
    const evaluator = new Evaluator(config!, { varName: 'pod' });
    const running = pod('Running', { 'notifications.argoproj.io/subscribe.on-image.hook': 'r1' });
    const [first, second, third] = evaluator.runTrigger('on-image', running)!;
    expect(first).toMatchObject({ triggered: true, oncePer: 'nginx' });
    // A field of a string is an error (expr-lang), so false; a non-boolean result is false.
    expect(second).toMatchObject({ triggered: false });
    expect(third).toMatchObject({ triggered: false });
    const plan = evaluator.plan(running);
    expect(plan.decisions.map((d) => [d.stateKey, d.triggered, d.oncePer])).toEqual([
      [`nginx:on-image:${first!.key}:hook:r1`, true, true],
      [`on-image:${second!.key}:hook:r1`, false, false],
      [`on-image:${third!.key}:hook:r1`, false, false],
    ]);
    expect(evaluator.runTrigger('on-image', pod('Pending'))![0]).toMatchObject({ triggered: false, oncePer: undefined });
  });

  it('renders templates in order; later non-empty values win; only the destination\'s block', () => {
    const evaluator = new Evaluator(config!, { varName: 'pod' });
    const destination = { serviceType: 'webhook', service: 'hook', recipient: 'r1' };
    expect(evaluator.render(['base', 'extra'], pod('Running'), destination)).toEqual({
      message: 'web-1 for r1 via hook',
      webhook: { hook: { method: 'POST', body: 'extra prod' }, other: { body: 'x' } },
    });
    expect(evaluator.render(['base'], pod('Running'), { serviceType: 'slack', service: 'slack', recipient: '#a' })).toEqual({ message: 'web-1 for #a via slack' });
  });

  it('rendering a template the config does not define throws a coded config error naming it', () => {
    const evaluator = new Evaluator(config!, { varName: 'pod' });
    expect(() => evaluator.render(['base', 'nope'], pod('Running'), { serviceType: 'webhook', service: 'hook', recipient: 'r1' })).toThrow(
      expect.objectContaining({ name: 'TemplateError', code: 'HERALD_ERR_TEMPLATE_RUNTIME', retryable: false, message: 'template.nope: is not defined in the config' }),
    );
  });

  it('unknown triggers are reported by plan, not thrown', () => {
    const evaluator = new Evaluator(config!, { varName: 'pod' });
    const plan = evaluator.plan(pod('Running', { 'notifications.argoproj.io/subscribe.nope.hook': '' }));
    expect(plan.decisions).toEqual([]);
    expect(plan.problems).toEqual(['trigger "nope" is not defined in the config']);
    expect(evaluator.runTrigger('nope', pod('Running'))).toBeUndefined();
  });

  it('an oncePer that fails is "" and the condition still fires, as in the engine; a nil field is "<nil>"', () => {
    const { config: c } = parseNotificationConfig({
      data: {
        'trigger.t': "- when: 'true'\n  oncePer: pod.status.operationState.phase\n  send: [x]\n- when: 'true'\n  oncePer: pod.metadata.labels.missing\n  send: [x]",
        'template.x': 'message: x',
      },
    });
    const evaluator = new Evaluator(c!, { varName: 'pod' });
    const object = pod('Running', { 'notifications.argoproj.io/subscribe.t.hook': '' });
    const [failing, nil] = evaluator.runTrigger('t', object)!;
    expect(failing).toMatchObject({ triggered: true, oncePer: '', problem: 'oncePer: cannot fetch phase from <nil>' });
    expect(nil).toMatchObject({ triggered: true, oncePer: '<nil>', problem: undefined });
  });

  it('a runtime error makes the condition false and says why', () => {
    const { config: c } = parseNotificationConfig({ data: { 'trigger.t': "- when: time.Parse(pod.metadata.name) != nil\n  send: [x]", 'template.x': 'message: x' } });
    const [outcome] = new Evaluator(c!, { varName: 'pod' }).runTrigger('t', pod('Running'))!;
    expect(outcome).toMatchObject({ triggered: false, problem: expect.stringMatching(/^when: /) });
  });
});

describe('evaluator: a config with a broken part', () => {
  it('plans a condition whose template never loaded (its render fails alone, naming it) and plans the others', () => {
    const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
    const service = new NotificationConfigService({ origin: 'test', logger: quiet, compilers: configCompilers(), eager: true });
    service.reload({
      data: {
        'trigger.on-pod-ready': "- when: pod.status.phase == 'Running'\n  send: [broken]\n- when: pod.status.phase == 'Running'\n  send: [fine]",
        'template.broken': 'message: "{{.pod.metadata.name"',
        'template.fine': 'message: "{{.pod.metadata.name}} is ready"',
        'service.webhook.webhook': 'url: http://x',
      },
    });
    const evaluator = new Evaluator(service.current()!, { varName: 'pod' });
    const { decisions, problems } = evaluator.plan(pod('Running'));
    expect(decisions.map((d) => d.condition.index)).toEqual([0, 1]);
    expect(problems).toEqual([]);
    expect(() => evaluator.render(decisions[0]!.condition.templates, pod('Running'), decisions[0]!.destination)).toThrow('template.broken: is not defined in the config');
    expect(evaluator.render(decisions[1]!.condition.templates, pod('Running'), decisions[1]!.destination)).toEqual({ message: 'web-1 is ready' });
  });
});

describe('evaluator: the variables Argo CD gives an Application', () => {
  const application = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'guestbook', namespace: 'argocd', uid: 'u-app', annotations: { 'notifications.argoproj.io/subscribe.on-deployed.hook': '' } },
    spec: { project: 'default', source: { repoURL: 'git@github.com:argoproj/argocd-example-apps.git' } },
    status: { sync: { status: 'Synced', revision: 'abc123' } },
  };
  const { config, issues } = parseNotificationConfig({
    data: {
      'trigger.on-deployed': "- when: repo.FullNameByRepoURL(app.spec.source.repoURL) == 'argoproj/argocd-example-apps' and context.notificationType == ''\n  send: [deployed]",
      'template.deployed': [
        'message: "{{.serviceType}} {{.context.notificationType}} {{.context.argocdUrl}} {{.secrets.token}} {{.appProject.metadata}}"',
        'webhook:',
        '  hook:',
        '    body: "{{call .repo.RepoURLToHTTPS .app.spec.source.repoURL}} {{call .repo.FullNameByRepoURL .app.spec.source.repoURL}} {{call .repo.QueryEscape \\"a b\\"}}"',
      ].join('\n'),
      'template.commit': 'message: "{{(call .repo.GetCommitMetadata .app.status.sync.revision).Author}}"',
      'service.webhook.hook': 'url: http://x',
      context: 'argocdUrl: https://argo.example',
    },
    secrets: { token: 'hi' },
  });
  const evaluator = new Evaluator(config!, { varName: 'app' });
  const hook = { serviceType: 'webhook', service: 'hook', recipient: '' };

  it('parses', () => expect(issues).toEqual([]));

  it('triggers see repo and a context whose notificationType is ""', () => {
    expect(evaluator.runTrigger('on-deployed', application)![0]).toMatchObject({ triggered: true, problem: undefined });
  });

  it('templates see serviceType as the service name, context.notificationType, secrets as Go bytes, an empty appProject and repo', () => {
    expect(evaluator.render(['deployed'], application, hook)).toEqual({
      message: 'hook hook https://argo.example [104 105] <no value>',
      webhook: { hook: { body: 'https://github.com/argoproj/argocd-example-apps.git argoproj/argocd-example-apps a+b' } },
    });
  });

  it('a repo function that needs Argo CD\'s repo server is a render error naming it', () => {
    expect(() => evaluator.render(['commit'], application, hook)).toThrow(/repo\.GetCommitMetadata reads the Git repository through Argo CD's repo server/);
  });

  it('other objects get none of them', () => {
    expect(evaluator.render(['deployed'], { ...application, apiVersion: 'v1', kind: 'ConfigMap' }, { ...hook, serviceType: 'email' }).message).toBe('hook <no value> https://argo.example <no value> <no value>');
  });
});
