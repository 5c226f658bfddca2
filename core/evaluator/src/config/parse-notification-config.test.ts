import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readConfigMapYaml } from '@herald/core-notification-config';
import { parseNotificationConfig } from './parse-notification-config.ts';

const seedFile = new URL('../../../../test/fixtures/reference-scenario.yaml', import.meta.url);

const parse = (data: Record<string, string>, secrets?: Record<string, string>, serviceSchemas?: Map<string, z.ZodType>) =>
  parseNotificationConfig({ data, ...(secrets ? { secrets } : {}) }, serviceSchemas ? { serviceSchemas } : {});

const trigger = (yaml: string) => ({ 'trigger.on-x': yaml, 'template.t': 'message: hi' });

describe('notification config: the reference scenario', () => {
  it("parses the seed's ConfigMap verbatim", () => {
    const cm = readConfigMapYaml(readFileSync(seedFile, 'utf8'), 'reference-scenario.yaml');
    expect(Object.keys(cm.data)).toEqual(['trigger.on-pod-ready', 'template.pod-ready', 'service.webhook.webhook']);
    const { config, issues } = parseNotificationConfig(cm);
    expect(issues).toEqual([]);
    const t = config!.triggers.get('on-pod-ready')!;
    expect(t.conditions).toMatchObject([{ index: 0, key: '[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go', when: "pod.status.phase in ['Running']", send: ['pod-ready'] }]);
    expect(config!.templates.get('pod-ready')!.blocks).toEqual(['webhook']);
    expect(config!.services.get('webhook')).toEqual({ key: 'service.webhook.webhook', type: 'webhook', name: 'webhook', config: { url: 'http://webhook.default:8080/webhook' }, secrets: [], options: { url: 'http://webhook.default:8080/webhook' }, secretRefs: {} });
  });
});

describe('notification config: errors name the key', () => {
  it.each([
    ['a single mapping instead of a list', trigger('when: "true"\nsend: [t]'), 'trigger.on-x', /YAML list of conditions.*- when/],
    ['a scalar trigger', trigger('yes please'), 'trigger.on-x', /YAML list/],
    ['a when that does not compile', trigger('- when: pod.status.phase in [\n  send: [t]'), 'trigger.on-x[0].when', /column|unexpected|expected/i],
    ['a non-string when', trigger('- when: true\n  send: [t]'), 'trigger.on-x[0].when', /must be a string/],
    ['send not a list', trigger('- when: "true"\n  send: t'), 'trigger.on-x[0].send', /list of strings/],
    ['invalid YAML', trigger('- when: "a\n  send: [t'), 'trigger.on-x', /invalid YAML/],
    ['a template that is not a mapping', { 'template.t': '- a' }, 'template.t', /must be a mapping/],
    ['an unsupported template construct', { 'template.t': 'message: \'{{range .l}}{{break}}{{end}}\'' }, 'template.t', /break/],
    ['a four-part service key', { 'service.webhook.a.b': 'url: http://x' }, 'service.webhook.a.b', /service\.<type> or service\.<type>\.<name>/],
    ['a service that is not a mapping', { 'service.slack': 'token' }, 'service.slack', /mapping of the service's options/],
    ['a duplicate service name', { 'service.slack': 'token: a', 'service.webhook.slack': 'url: http://x' }, 'service.webhook.slack', /already defined by service\.slack/],
    ['a bad selector', { 'subscriptions': '- recipients: [slack:a]\n  selector: "env in (prod"' }, 'subscriptions[0].selector', /unbalanced/],
    ['defaultTriggers not a list', { defaultTriggers: 'on-x' }, 'defaultTriggers', /list of strings/],
    ['an unquoted template (a YAML flow mapping)', { 'template.t': 'message: {{.app.metadata.name}}' }, 'template.t', /unquoted "\{\{…\}\}" is a YAML mapping, not a template; quote it/],
    ['an unquoted template in a block', { 'template.t': 'message: hi\nslack:\n  attachments: {{.x}}' }, 'template.t', /quote it/],
    ['a message that is not a string', { 'template.t': 'message: [a]' }, 'template.t.message', /must be a string/],
  ])('%s', (_name, data, key, message) => {
    const { config, issues } = parse(data);
    expect(config).toBeUndefined();
    expect(issues).toContainEqual(expect.objectContaining({ severity: 'error', key, message: expect.stringMatching(message) }));
  });

  it('reports every error, not just the first', () => {
    const { issues } = parse({ 'trigger.a': 'x', 'trigger.b': '- when: "("\n  send: [t]', 'template.t': 'message: ok', 'service.x.y.z': '' });
    expect(issues.filter((i) => i.severity === 'error').map((i) => i.key)).toEqual(['trigger.a', 'trigger.b[0].when', 'service.x.y.z']);
  });

  it('gives the file line of the key, and of the line inside a block value', () => {
    const text = [
      'apiVersion: v1', // 1
      'kind: ConfigMap', // 2
      'metadata: {name: cm}', // 3
      'data:', // 4
      '  template.t: |', // 5
      '    message: hi', // 6
      '  trigger.on-x: |', // 7
      '    - when: "true"', // 8
      '      send: [t', // 9
      '  service.a.b.c: |', // 10
      '    url: x', // 11
    ].join('\n');
    const cm = readConfigMapYaml(text, 'cm.yaml');
    const { issues } = parseNotificationConfig(cm);
    expect(issues.find((i) => i.key === 'service.a.b.c')).toMatchObject({ file: 'cm.yaml', line: 10 });
    const yamlIssue = issues.find((i) => i.key === 'trigger.on-x')!;
    expect(yamlIssue.file).toBe('cm.yaml');
    expect(yamlIssue.line).toBeGreaterThanOrEqual(8);
    expect(yamlIssue.line).toBeLessThanOrEqual(10);
  });
});

describe('notification config: what Argo accepts', () => {
  it('matches field names case-insensitively, as Go does', () => {
    const { config, issues } = parse({
      'trigger.on-x': '- When: "true"\n  SEND: [t]\n  OncePer: pod.metadata.name',
      'template.t': 'Message: hi\nWebhook:\n  hook:\n    Method: POST\n    BODY: b',
    });
    expect(issues).toEqual([]);
    expect(config!.triggers.get('on-x')!.conditions[0]).toMatchObject({ when: 'true', send: ['t'], oncePer: 'pod.metadata.name' });
    expect(config!.templates.get('t')!.blocks).toEqual(['message', 'webhook']);
  });

  it('the block scalar that ends a `|-` value has no final newline (the others keep theirs), as in Go\'s YAML', () => {
    const text = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: cm}', 'data:', '  template.t: |-', '    message: |', '      hello', '    email:', '      body: |', '        hi', '  template.u: |', '    message: |', '      hello', ''].join('\n');
    const { config, issues } = parseNotificationConfig(readConfigMapYaml(text, 'cm.yaml'));
    expect(issues).toEqual([]);
    const vars = {};
    expect(config!.templates.get('t')!.render(vars)).toEqual({ message: 'hello\n', email: { body: 'hi' } });
    expect(config!.templates.get('u')!.render(vars)).toEqual({ message: 'hello\n' });
  });

  it("reads unquoted yes/on/n as Argo's YAML 1.1 does, and an unquoted number or boolean message as its text", () => {
    const schemas = new Map<string, z.ZodType>([['opsgenie', z.object({ note: z.string().optional(), flag: z.boolean().optional() })]]);
    const { config, issues } = parseNotificationConfig(
      { data: { 'template.t': 'message: yes', 'template.u': 'message: 42', 'template.v': 'message: 1.5\nopsgenie:\n  note: n\n  flag: on', 'template.w': 'message: "yes"' } },
      { templateSchemas: schemas },
    );
    expect(issues).toEqual([]);
    const render = (name: string) => config!.templates.get(name)!.render({});
    expect(render('t')).toEqual({ message: 'true' });
    expect(render('u')).toEqual({ message: '42' });
    expect(render('v')).toEqual({ message: '1.5', opsgenie: { note: 'false', flag: true } });
    expect(render('w')).toEqual({ message: 'yes' });
  });

  it('parses the fields the engine parses only at render time (gcppubsub attributes) when rendering, and an unknown key not at all', () => {
    const { config, issues } = parse({ 'template.t': 'message: hi\ngcppubsub:\n  attributes:\n    app: "{{.app.x"\nbody: "{{.app.x"' });
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', key: 'template.t.body' })]);
    const template = config!.templates.get('t')!;
    expect(template.render({}, new Set(['message']))).toEqual({ message: 'hi' });
    expect(() => template.render({}, new Set(['message', 'gcppubsub']))).toThrow(/template\.t: gcppubsub\.attributes\.app: .*unclosed action/);
  });

  it('sends a webhook method and a github commentTag as written: the engine never parses them as templates', () => {
    const { config, issues } = parse({ 'template.t': 'webhook:\n  hook:\n    method: "{{.x"\n    body: "{{.pod.metadata.name}}"\ngithub:\n  pullRequestComment:\n    content: c\n    commentTag: "{{ tag }}"' });
    expect(issues).toEqual([]);
    expect(config!.templates.get('t')!.render({ pod: { metadata: { name: 'p' } } })).toEqual({
      webhook: { hook: { method: '{{.x', body: 'p' } },
      github: { pullRequestComment: { content: 'c', commentTag: '{{ tag }}' } },
    });
  });

  it('ignores keys it does not know, as Argo does', () => {
    expect(parse({ 'some.other.key': 'x', resource: 'y' }).issues).toEqual([]);
  });

  it('treats an empty when as false and warns about a condition with nothing to send', () => {
    const { config, issues } = parse({ 'trigger.on-x': '- description: never\n' });
    expect(config!.triggers.get('on-x')!.conditions[0]!.when).toBe('');
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', key: 'trigger.on-x[0].send' })]);
  });

  it('substitutes $secret references into every string of a service, leaving unknown ones as written', () => {
    const { config, issues } = parse(
      {
        'service.webhook.github': 'url: https://api.github.com\nheaders:\n- name: Authorization\n  value: token $github-token\n- name: X-Other\n  value: $missing',
        'service.slack': 'token: $slack-token',
      },
      { 'github-token': 'gh-123', 'slack-token': 'xoxb-1' },
    );
    expect(config!.services.get('github')!.config).toEqual({
      url: 'https://api.github.com',
      headers: [
        { name: 'Authorization', value: 'token gh-123' },
        { name: 'X-Other', value: '$missing' },
      ],
    });
    expect(config!.services.get('slack')).toMatchObject({ type: 'slack', name: 'slack', config: { token: 'xoxb-1' } });
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', key: 'service.webhook.github', message: expect.stringMatching(/"missing" not found/) })]);
  });

  it("checks service options against the sink's schema, keys case-insensitively, without echoing secrets", () => {
    const schemas = new Map<string, z.ZodType>([['webhook', z.strictObject({ url: z.url(), headers: z.array(z.strictObject({ name: z.string(), value: z.string() })).default([]) })]]);
    const ok = parse({ 'service.webhook.w': 'URL: http://x.test\nHeaders:\n- Name: a\n  Value: b' }, undefined, schemas);
    expect(ok.config!.services.get('w')!.config).toEqual({ url: 'http://x.test', headers: [{ name: 'a', value: 'b' }] });
    const bad = parse({ 'service.webhook.w': 'url: not a url $tok\nbogus: 1' }, { tok: 's3cr3t' }, schemas);
    expect(bad.config).toBeUndefined();
    expect(bad.issues.map((i) => i.key)).toEqual(expect.arrayContaining(['service.webhook.w.url', 'service.webhook.w.bogus']));
    expect(JSON.stringify(bad.issues)).not.toContain('s3cr3t');
    const unknownType = parse({ 'service.pager': 'x: 1' }, undefined, schemas);
    expect(unknownType.issues).toEqual([expect.objectContaining({ severity: 'warning', key: 'service.pager', message: expect.stringMatching(/no sink plugin/) })]);
  });

  it('reads subscriptions, default triggers and context', () => {
    const { config, issues } = parse({
      'trigger.on-x': '- when: "true"\n  send: [t]',
      'template.t': 'message: hi',
      'service.slack': 'token: x',
      subscriptions: '- recipients: [slack:alerts, "slack:ops:oncall"]\n  triggers: [on-x]\n  selector: env=prod\n- recipients: [slack:all]',
      defaultTriggers: '- on-x',
      'defaultTriggers.slack': '- on-x',
      context: 'argocdUrl: https://argo.example\nenv: prod',
    });
    expect(issues).toEqual([]);
    // Split as the engine splits them: on every colon.
    expect(config!.subscriptions[0]!.recipients).toEqual([
      { service: 'slack', recipient: 'alerts' },
      { service: 'slack', recipient: 'ops' },
    ]);
    expect(config!.subscriptions[0]!.selector!.matches({ env: 'prod' })).toBe(true);
    expect(config!.subscriptions[1]!.selector).toBeUndefined();
    expect(config!.defaultTriggers).toEqual(['on-x']);
    expect(config!.serviceDefaultTriggers.get('slack')).toEqual(['on-x']);
    expect(config!.context).toEqual({ argocdUrl: 'https://argo.example', env: 'prod' });
  });

  it('loads a trigger that sends an undefined template, with a warning naming the key', () => {
    const { config, issues } = parse({ 'trigger.on-x': '- when: "true"\n  send: [nope, t]', 'template.t': 'message: hi' });
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', key: 'trigger.on-x[0].send', message: 'template "nope" is not defined (no key template.nope); sending this condition fails' })]);
    expect(config!.triggers.get('on-x')!.conditions[0]!.send).toEqual(['nope', 't']);
  });

  it('warns about a condition on the clock when told objects are evaluated only when they change, and loads it', () => {
    const data = {
      'trigger.on-old': '- when: time.Now().Sub(time.Parse(pod.metadata.creationTimestamp)).Minutes() >= 5\n  send: [t]\n- when: pod.status.phase == "Failed"\n  send: [t]',
      'trigger.on-late': '- when: "now() > date(pod.metadata.creationTimestamp)"\n  send: [t]',
      'template.t': 'message: hi',
    };
    const because = 'the Kubernetes source in herald.yaml sets no resyncPeriod, so …';
    const { config, issues } = parseNotificationConfig({ data }, { onChangeOnly: because });
    expect(issues).toEqual([
      { severity: 'warning', key: 'trigger.on-old[0].when', message: `reads the clock (time.Now()), but ${because}` },
      { severity: 'warning', key: 'trigger.on-late[0].when', message: `reads the clock (time.Now()), but ${because}` },
    ]);
    expect(config!.triggers.get('on-old')!.conditions).toHaveLength(2);
    // Sources that evaluate objects again as time passes (or none known): no warning.
    expect(parseNotificationConfig({ data }).issues).toEqual([]);
  });

  it('reads a recipient without a colon as a service without a recipient, as the engine does', () => {
    const { config, issues } = parse({ 'service.webhook.hook': 'url: http://x', subscriptions: '- recipients: [hook]' });
    expect(issues).toEqual([]);
    expect(config!.subscriptions[0]!.recipients).toEqual([{ service: 'hook', recipient: '' }]);
  });

  it('warns about references to triggers and services that do not exist', () => {
    const { config, issues } = parse({ defaultTriggers: '- ghost', subscriptions: '- recipients: [nowhere:x]' });
    expect(config).toBeDefined();
    expect(issues.map((i) => [i.severity, i.key])).toEqual([
      ['warning', 'defaultTriggers'],
      ['warning', 'subscriptions[0].recipients'],
    ]);
  });
});
