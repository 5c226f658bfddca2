import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HeraldError, type Logger } from '@herald/plugin-sdk';
import type { ConfigCompilers } from './compilers.ts';
import { NotificationConfigErrorCodes } from './errors.ts';
import { NotificationConfigService, type ConfigRejection, type NotificationConfigServiceOptions } from './notification-config-service.ts';

/** Compilers that record what they compiled: `((` does not compile as an expression, `{{broken` as a template. */
function spyCompilers() {
  const compiled = { expressions: [] as string[], templates: [] as string[] };
  const compilers: ConfigCompilers = {
    expression(source) {
      compiled.expressions.push(source);
      if (source.includes('((')) throw new HeraldError('HERALD_ERR_EXPR_SYNTAX', `unexpected "(" at column ${source.indexOf('((') + 2}`);
      return { source, evaluate: () => true };
    },
    template(source, name) {
      compiled.templates.push(name);
      if (source.includes('{{broken')) throw new HeraldError('HERALD_ERR_TEMPLATE_SYNTAX', `${name}: unclosed action`);
      return { name, source, render: () => source };
    },
  };
  return { compilers, compiled };
}

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

function service(options: Partial<NotificationConfigServiceOptions> = {}) {
  const rejected: ConfigRejection[] = [];
  const counted: string[] = [];
  const config = new NotificationConfigService({
    origin: 'test',
    logger: quiet,
    reloads: { add: (_n: number, attributes?: Record<string, unknown>) => void counted.push(String(attributes?.outcome)) },
    rejected: (r) => void rejected.push(r),
    ...options,
  });
  return { config, rejected, counted };
}

const message = (config: NotificationConfigService, template: string) => config.current()!.templates.get(template)?.render({}).message;

const v1 = {
  'trigger.on-ready': '- when: phase == "Running"\n  send: [ready]',
  'trigger.on-failed': '- when: phase == "Failed"\n  send: [failed]',
  'template.ready': 'message: ready v1',
  'template.failed': 'message: failed v1',
  'service.webhook.hook': 'url: http://a',
};

describe('a process that only delivers (lazy, or given no compilers)', () => {
  it('reads its services without compiling a trigger or a template, even with a broken template beside them', () => {
    const { compilers, compiled } = spyCompilers();
    const { config } = service({ compilers });
    config.reload({ data: { ...v1, 'template.broken': 'message: "{{broken"', 'service.webhook.new': 'url: http://new' } });
    expect(config.current()!.services.get('new')).toEqual({ key: 'service.webhook.new', type: 'webhook', name: 'new', config: { url: 'http://new' }, secrets: [], options: { url: 'http://new' }, secretRefs: {} });
    expect(compiled).toEqual({ expressions: [], templates: [] });
  });

  it('compiles only the part asked for', () => {
    const { compilers, compiled } = spyCompilers();
    const { config } = service({ compilers });
    config.reload({ data: { ...v1, 'template.broken': 'message: "{{broken"' } });
    expect(config.current()!.triggers.get('on-ready')!.conditions[0]!.when).toBe('phase == "Running"');
    expect(compiled).toEqual({ expressions: ['phase == "Running"'], templates: [] });
    expect(message(config, 'ready')).toBe('ready v1');
    expect(compiled.templates).toEqual(['template.ready: message']);
  });

  it('without compilers, refuses to hand out triggers and templates, and says why', () => {
    const { config } = service();
    config.reload({ data: v1 });
    expect(config.current()!.services.has('hook')).toBe(true);
    expect(() => config.current()!.templates.get('ready')).toThrow(expect.objectContaining({ code: NotificationConfigErrorCodes.notCompiled, message: expect.stringMatching(/^template\.ready: /) }));
  });
});

describe('each part keeps its last good version', () => {
  it('a broken new version of one part is refused alone: the rest of the edit applies', () => {
    const { compilers } = spyCompilers();
    const { config, rejected, counted } = service({ compilers, eager: true });
    config.reload({ data: v1 });
    counted.length = 0;
    config.reload({ data: { ...v1, 'trigger.on-ready': '- when: ((\n  send: [ready]', 'template.ready': 'message: ready v2', 'service.webhook.added': 'url: http://added' } });
    const current = config.current()!;
    expect(current.triggers.get('on-ready')!.conditions[0]!.when).toBe('phase == "Running"');
    expect(message(config, 'ready')).toBe('ready v2');
    expect([...current.services.keys()]).toEqual(['hook', 'added']);
    expect(rejected).toEqual([{ origin: 'test', part: 'trigger.on-ready', errors: ['trigger.on-ready[0].when: unexpected "(" at column 2'], keptPrevious: true }]);
    expect(counted.sort()).toEqual(['loaded', 'loaded', 'rejected']);
  });

  it('a part that never had a good version is absent; its neighbours serve', () => {
    const { compilers } = spyCompilers();
    const { config, rejected } = service({ compilers, eager: true });
    const issues = config.reload({ data: { ...v1, 'template.failed': 'message: "{{broken"' } });
    expect(issues).toEqual([{ severity: 'error', key: 'template.failed', message: 'template.failed: message: unclosed action' }]);
    expect(config.current()!.templates.has('failed')).toBe(false);
    expect(config.current()!.triggers.has('on-failed')).toBe(true);
    expect(message(config, 'ready')).toBe('ready v1');
    expect(rejected).toEqual([expect.objectContaining({ part: 'template.failed', keptPrevious: false })]);
  });

  it('a fix replaces the last good version; a deleted key is gone', () => {
    const { compilers } = spyCompilers();
    const { config } = service({ compilers, eager: true });
    config.reload({ data: v1 });
    config.reload({ data: { ...v1, 'template.ready': 'message: "{{broken"' } });
    expect(message(config, 'ready')).toBe('ready v1');
    config.reload({ data: { ...v1, 'template.ready': 'message: ready v3' } });
    expect(message(config, 'ready')).toBe('ready v3');
    const { 'service.webhook.hook': _gone, ...rest } = v1;
    config.reload({ data: rest });
    expect(config.current()!.services.size).toBe(0);
  });

  it('keeps a service, the subscriptions and the context at their last good versions too', () => {
    const { config, rejected } = service();
    const good = { ...v1, subscriptions: '- recipients: [hook:a]', context: 'env: prod' };
    config.reload({ data: good });
    config.reload({ data: { ...good, 'service.webhook.hook': 'url: [', subscriptions: '- recipients: [hook:b]\n  selector: "env in (prod"', context: '- a list' } });
    const current = config.current()!;
    expect(current.services.get('hook')!.config).toEqual({ url: 'http://a' });
    expect(current.subscriptions.map((s) => s.recipients)).toEqual([[{ service: 'hook', recipient: 'a' }]]);
    expect(current.context).toEqual({ env: 'prod' });
    expect(rejected.map((r) => [r.part, r.keptPrevious])).toEqual([
      ['service.webhook.hook', true],
      ['subscriptions', true],
      ['context', true],
    ]);
  });

  it('reads again only the parts that changed', () => {
    const { compilers, compiled } = spyCompilers();
    const { config } = service({ compilers, eager: true });
    config.reload({ data: v1 });
    expect(compiled.expressions).toHaveLength(2);
    expect(compiled.templates).toHaveLength(2);
    config.reload({ data: { ...v1, 'template.ready': 'message: ready v2' } });
    expect(compiled.expressions).toHaveLength(2);
    expect(compiled.templates).toEqual(['template.ready: message', 'template.failed: message', 'template.ready: message']);
  });

  it('gives each new version of the config to its listeners, once', () => {
    const { config } = service();
    const seen: unknown[] = [];
    config.onChange((c) => seen.push(c));
    config.reload({ data: v1 });
    config.reload({ data: v1 });
    config.reload({ data: { ...v1, context: 'a: b' } });
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(config.current());
  });
});

describe('YAML as Argo reads it', () => {
  it('a key written twice in one mapping loads, the last one winning as in Argo, with a warning naming it', () => {
    const { config } = service({ compilers: spyCompilers().compilers, eager: true });
    const issues = config.reload({ data: { ...v1, 'template.ready': 'message: one\nmessage: two', 'trigger.on-ready': '- when: a\n  when: b\n  send: [ready]' } });
    expect(issues).toEqual([
      expect.objectContaining({ severity: 'warning', key: 'trigger.on-ready', message: 'YAML: key "when" is written twice in one mapping; the last one is used, as Argo uses it' }),
      expect.objectContaining({ severity: 'warning', key: 'template.ready', message: 'YAML: key "message" is written twice in one mapping; the last one is used, as Argo uses it' }),
    ]);
    expect(message(config, 'ready')).toBe('two');
    expect(config.current()!.triggers.get('on-ready')!.conditions[0]!.when).toBe('b');
  });
});

describe('template blocks checked by the schema a sink declares', () => {
  const templateSchemas = new Map<string, z.ZodType>([['slack', z.strictObject({ attachments: z.string().optional(), blocks: z.string().optional() })]]);

  it('an unknown field of a block is a warning naming the key, ignored and never compiled, as the engine ignores it', () => {
    const { compilers, compiled } = spyCompilers();
    const { config } = service({ compilers, eager: true, templateSchemas });
    const issues = config.reload({ data: { ...v1, 'template.ready': 'message: hi\nslack:\n  attachmnts: "{{.app.x"', 'template.failed': 'message: x\nSlack:\n  Blocks: "[]"' } });
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', key: 'template.ready.slack.attachmnts', message: 'unknown key, ignored' })]);
    expect(compiled.templates).not.toContain('template.ready: slack.attachmnts');
    expect(config.current()!.templates.get('ready')!.render({})).toEqual({ message: 'hi', slack: {} });
    expect(config.current()!.templates.get('failed')!.render({})).toEqual({ message: 'x', slack: { blocks: '[]' } });
  });

  it('a top-level key no service has warns and is not compiled at load; a broken one fails only when rendered for that type', () => {
    const { compilers, compiled } = spyCompilers();
    const { config } = service({ compilers, eager: true, templateSchemas });
    const issues = config.reload({ data: { ...v1, 'template.ready': 'message: hi\nbody: "{{.app.x"' } });
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', key: 'template.ready.body', message: expect.stringMatching(/^unknown key: no service Herald knows has a "body" block/) })]);
    expect(compiled.templates).toEqual(['template.ready: message', 'template.failed: message']);
    const ready = config.current()!.templates.get('ready')!;
    expect(ready.render({}, new Set(['message', 'slack']))).toEqual({ message: 'hi' });
    expect(compiled.templates).toHaveLength(2);
    ready.render({}, new Set(['message', 'body']));
    expect(compiled.templates).toContain('template.ready: body');
  });

  it('a top-level key no delivered service has is a warning naming it, never compiled and never rendered, as the engine ignores it', () => {
    const { compilers, compiled } = spyCompilers();
    const { config } = service({ compilers, eager: true, templateSchemas, deliveredServiceTypes: new Set(['webhook', 'slack', 'pager']) });
    const issues = config.reload({ data: { ...v1, 'template.ready': 'message: hi\nbody: "{{broken"\npager: "{{broken"' } });
    expect(issues).toEqual([
      expect.objectContaining({ severity: 'warning', key: 'template.ready.body', message: 'unknown key: no service Herald knows has a "body" block; ignored' }),
      // A sink outside Herald delivers `pager` and reads its own block: kept, compiled when rendered for it.
      expect.objectContaining({ severity: 'warning', key: 'template.ready.pager', message: expect.stringMatching(/rendered only for a service of type "pager"$/) }),
    ]);
    const ready = config.current()!.templates.get('ready')!;
    expect(ready.blocks).toEqual(['message', 'pager']);
    expect(() => ready.render({}, new Set(['message', 'pager']))).toThrow();
    expect(compiled.templates.filter((t) => t.includes('body'))).toEqual([]);
  });

  it("a field the block leaves out takes the schema's default, rendered as template text (github's repoURLPath)", () => {
    const { compilers, compiled } = spyCompilers();
    const github = z.strictObject({ repoURLPath: z.string().default('{{.app.spec.source.repoURL}}'), status: z.strictObject({ state: z.string() }).optional() });
    const { config } = service({ compilers, eager: true, templateSchemas: new Map([['github', github]]) });
    expect(config.reload({ data: { ...v1, 'template.synced': 'message: x\ngithub:\n  status:\n    state: success' } })).toEqual([]);
    expect(compiled.templates).toContain('template.synced: github.repoURLPath');
    expect(config.current()!.templates.get('synced')!.render({})).toMatchObject({ github: { repoURLPath: '{{.app.spec.source.repoURL}}', status: { state: 'success' } } });
  });
});

describe('service options checked by the schema a sink declares', () => {
  const serviceSchemas = new Map<string, z.ZodType>([
    // Like a duration option: the message quotes the value it refused.
    ['webhook', z.strictObject({ url: z.string(), timeout: z.string().superRefine((v, ctx) => void (/^\d+s$/.test(v) || ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration` }))).optional() })],
  ]);

  it('break 6a: a $secret in an option that fails validation is not printed in the error nor in the rejection announced on the bus', () => {
    const { config, rejected } = service({ serviceSchemas });
    const issues = config.reload({ data: { 'service.webhook.hook': 'url: http://a\ntimeout: $token' }, secrets: { token: 'loud' } });
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', key: 'service.webhook.hook.timeout', message: '"***" is not a duration' })]);
    expect(JSON.stringify([issues, rejected])).not.toContain('loud');
    expect(rejected).toEqual([expect.objectContaining({ part: 'service.webhook.hook', errors: ['service.webhook.hook.timeout: "***" is not a duration'] })]);
  });

  it('break 6c: a service carries every value substituted from the Secret, for whatever shows text about it to mask', () => {
    const { config } = service({ serviceSchemas });
    config.reload({ data: { 'service.webhook.hook': 'url: http://a/$path/$id' }, secrets: { path: 'abc', id: 'hunter', unused: 'x' } });
    expect(config.current()!.services.get('hook')).toMatchObject({ config: { url: 'http://a/abc/hunter' }, secrets: ['abc', 'hunter'] });
  });

  it('a service keeps its options as written and where each $secret found lives (a sink outside Herald reads those), never the value', () => {
    const { config } = service({ secretSource: { name: 'herald-notifications-secret', namespace: 'ops' } });
    config.reload({ data: { 'service.pager': 'url: http://a/$path\ntoken: Bearer $id\nother: $absent' }, secrets: { path: 'abc', id: 'hunter' } });
    const pager = config.current()!.services.get('pager')!;
    expect(pager.options).toEqual({ url: 'http://a/$path', token: 'Bearer $id', other: '$absent' });
    expect(pager.secretRefs).toEqual({ path: { name: 'herald-notifications-secret', namespace: 'ops', key: 'path' }, id: { name: 'herald-notifications-secret', namespace: 'ops', key: 'id' } });
    expect(JSON.stringify([pager.options, pager.secretRefs])).not.toMatch(/abc|hunter/);
  });

  it('an unknown key reads as documented: `<key path>: unknown key`', () => {
    const { config } = service({ serviceSchemas });
    const issues = config.reload({ data: { 'service.webhook.github': 'url: http://a\nretryMaxx: 3' } });
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', key: 'service.webhook.github.retryMaxx', message: 'unknown key' })]);
  });
});

describe('notification config: services no loaded sink delivers', () => {
  it('break 9: refuses a service of a type no sink delivers, naming the service and the sink that would; every other key is kept', () => {
    const { config, rejected } = service({ deliveredServiceTypes: new Set(['webhook']) });
    const issues = config.reload({ data: { ...v1, 'service.slack': 'token: xoxb-1', 'service.custom.pager': 'url: http://p' } });
    expect(issues.map((i) => [i.severity, i.key, i.message])).toEqual([
      ['error', 'service.slack', `no sink delivers service type "slack" (the loaded sinks deliver webhook); add it to herald.yaml's plugins: the sink plugin for Argo's "slack" service would be @herald/sink-slack`],
      ['error', 'service.custom.pager', `no sink delivers service type "custom" (the loaded sinks deliver webhook); add it to herald.yaml's plugins: a sink plugin that declares service type "custom"`],
    ]);
    expect(rejected.map((r) => r.part)).toEqual(['service.slack', 'service.custom.pager']);
    const current = config.current()!;
    expect([...current.services.keys()]).toEqual(['hook']);
  });

  it('break 9: with no sink loaded at all, says so', () => {
    const { config } = service({ deliveredServiceTypes: new Set() });
    const issues = config.reload({ data: { 'service.webhook.hook': 'url: http://a' } });
    expect(issues[0]!.message).toMatch(/^no sink delivers service type "webhook" \(no sink plugin is loaded\); .*@herald\/sink-webhook$/);
  });
});
