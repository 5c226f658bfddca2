import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { herald } from './__fixtures__/run-cli.ts';
import { BUILT_IN_SINKS } from './commands/sink-schemas.ts';

// The sink ids of BUILT_IN_SINKS (`@herald/sink-<id>`), as the CLI names them: the list grows with each sink.
const builtIn = BUILT_IN_SINKS.map((name) => name.replace('@herald/sink-', '')).sort().join(', ');
const seed = fileURLToPath(new URL('../../../test/fixtures/reference-scenario.yaml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'herald-notify-cli-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const pod = (phase: string) => file(`pod-${phase}.yaml`, `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  namespace: default\nstatus:\n  phase: ${phase}\n`);

describe('herald trigger run', () => {
  it.each([
    ['Running', 'true'],
    ['Pending', 'false'],
  ])('evaluates the seed trigger on a %s Pod', async (phase, triggered) => {
    const text = await herald('trigger', 'run', 'on-pod-ready', pod(phase), '--config-map', seed);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout.split('\n')[0]).toMatch(/^CONDITION\s+TRIGGERED\s+ONCEPER\s+TEMPLATES$/);
    expect(text.stdout.split('\n')[1]).toMatch(new RegExp(`^\\[0\\]\\.jS5fTrIQi8Q4Q5uceLlcAF3t4Go\\s+${triggered}\\s+pod-ready$`));
    const json = await herald('trigger', 'run', 'on-pod-ready', pod(phase), '--config-map', seed, '-o', 'json');
    expect(JSON.parse(json.stdout)).toEqual([{ key: '[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go', triggered: triggered === 'true', oncePer: null, templates: ['pod-ready'] }]);
  });

  it('shows the expression with -o wide and YAML with -o yaml', async () => {
    expect((await herald('trigger', 'run', 'on-pod-ready', pod('Running'), '--config-map', seed, '-o', 'wide')).stdout).toContain("pod.status.phase in ['Running']");
    expect((await herald('trigger', 'run', 'on-pod-ready', pod('Running'), '--config-map', seed, '-o', 'yaml')).stdout).toBe(
      "- key: \"[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go\"\n  triggered: true\n  oncePer: null\n  templates:\n    - pod-ready\n",
    );
  });

  it('names the object with --var', async () => {
    const cm = file('app-cm.yaml', 'data:\n  trigger.t: |\n    - when: app.status.phase == "Running"\n      send: [m]\n  template.m: "message: hi"\n');
    const json = await herald('trigger', 'run', 't', pod('Running'), '--config-map', cm, '--var', 'app', '-o', 'json');
    expect(JSON.parse(json.stdout)[0].triggered).toBe(true);
  });

  it("names the object as the engine does: the engine config's notifications.variables, unless --var says otherwise", async () => {
    const cm = file('workload-cm.yaml', 'data:\n  trigger.t: |\n    - when: workload.status.phase == "Running"\n      send: [m]\n  template.m: |\n    message: \'{{.workload.metadata.name}} {{.pod.metadata.name}}\'\n');
    const engine = file('herald.yaml', 'notifications:\n  variables:\n    Pod: workload\n');
    const run = await herald('trigger', 'run', 't', pod('Running'), '--config-map', cm, '--config', engine, '-o', 'json');
    expect(JSON.parse(run.stdout)[0].triggered).toBe(true);
    expect(await herald('template', 'notify', 'm', pod('Running'), '--config-map', cm, '--config', engine)).toEqual({ code: 0, stdout: 'web-1 <no value>\n', stderr: '' });
    expect(await herald('template', 'notify', 'm', pod('Running'), '--config-map', cm, '--config', engine, '--var', 'pod')).toEqual({ code: 0, stdout: '<no value> web-1\n', stderr: '' });
    // Without the engine config the object is its lower-case kind, and the trigger is false.
    const plain = await herald('trigger', 'run', 't', pod('Running'), '--config-map', cm, '-o', 'json');
    expect(JSON.parse(plain.stdout)[0].triggered).toBe(false);
  });

  it.each([
    [['trigger', 'run', 'nope', 'POD', '--config-map', seed], 1, /trigger "nope" is not defined \(defined: on-pod-ready\)/],
    [['trigger', 'run', 'on-pod-ready', '/no/such/file', '--config-map', seed], 1, /cannot read the resource \/no\/such\/file: ENOENT/],
    // Without --config-map the ConfigMap is the cluster's: no kubeconfig, no config.
    [['trigger', 'run', 'on-pod-ready', 'POD', '--kubeconfig', '/no/such/kubeconfig'], 1, /^herald: cannot load kubeconfig \/no\/such\/kubeconfig: /],
  ])('fails clearly: %j', async (args, code, message) => {
    const result = await herald(...args.map((a) => (a === 'POD' ? pod('Running') : a)));
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
  });
});

describe('herald template notify', () => {
  it('prints the rendered message for console:stdout and the whole notification as JSON', async () => {
    const cm = file('cm.yaml', 'data:\n  template.t: |\n    message: "Pod {{.pod.metadata.name}} is {{.pod.status.phase}} ({{.recipient}})"\n    email:\n      subject: "{{.pod.metadata.name}}"\n');
    expect(await herald('template', 'notify', 't', pod('Running'), '--config-map', cm)).toEqual({ code: 0, stdout: 'Pod web-1 is Running (stdout)\n', stderr: '' });
    const json = await herald('template', 'notify', 't', pod('Running'), '--config-map', cm, '-o', 'json');
    expect(JSON.parse(json.stdout)).toEqual({ message: 'Pod web-1 is Running (stdout)', email: { subject: 'web-1' } });
  });

  it('renders the seed template for its webhook', async () => {
    const json = await herald('template', 'notify', 'pod-ready', pod('Running'), '--config-map', seed, '--recipient', 'webhook:', '-o', 'json');
    expect(JSON.parse(json.stdout)).toEqual({ webhook: { webhook: { method: 'GET', path: '/', body: 'Pod web-1 is ready!\n' } } });
    const text = await herald('template', 'notify', 'pod-ready', pod('Running'), '--config-map', seed, '--recipient', 'webhook:');
    expect(text.stdout).toContain('body: |\n      Pod web-1 is ready!\n');
  });

  it.each([
    [['--recipient', 'nope:x'], /service "nope" is not defined/],
    [['--recipient', 'nocolon'], /must be <service>:<recipient>/],
    [['--recipient', 'webhook:', '--recipient', 'nocolon'], /must be <service>:<recipient>/],
  ])('rejects a bad recipient %j as a usage error (exit 2)', async (extra, message) => {
    const result = await herald('template', 'notify', 'pod-ready', pod('Running'), '--config-map', seed, ...extra);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    const json = await herald('template', 'notify', 'pod-ready', pod('Running'), '--config-map', seed, ...extra, '-o', 'json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'HERALD_ERR_USAGE', message: expect.stringMatching(message) } });
  });

  it('renders for every --recipient, in order', async () => {
    const cm = file('two-cm.yaml', 'data:\n  service.webhook.a: "url: http://a.example/"\n  template.t: |\n    message: "to {{.recipient}} via {{.serviceType}}"\n');
    const text = await herald('template', 'notify', 't', pod('Running'), '--config-map', cm, '--recipient', 'console:ops', '--recipient', 'a:team');
    expect(text).toEqual({ code: 0, stdout: 'to ops via console\nto team via a\n', stderr: '' });
    const json = await herald('template', 'notify', 't', pod('Running'), '--config-map', cm, '--recipient', 'console:ops', '--recipient', 'a:team', '-o', 'json');
    expect(JSON.parse(json.stdout)).toEqual([{ message: 'to ops via console' }, { message: 'to team via a' }]);
  });
});

describe('herald trigger get / template get', () => {
  it('lists what the config defines', async () => {
    const triggers = await herald('trigger', 'get', '--config-map', seed);
    expect(triggers.stdout).toMatch(/^NAME\s+TEMPLATES\s+CONDITION\non-pod-ready\s+pod-ready\s+pod\.status\.phase in \['Running'\]\n$/);
    const templates = await herald('template', 'get', '--config-map', seed, '-o', 'json');
    expect(JSON.parse(templates.stdout)).toEqual([{ name: 'pod-ready', blocks: ['webhook'], triggers: ['on-pod-ready'] }]);
    expect((await herald('template', 'get', 'nope', '--config-map', seed)).code).toBe(1);
  });
});

describe('herald config validate', () => {
  // The first test here to load Herald's built-in sinks (every module of them): seconds on a busy machine.
  it('accepts the seed ConfigMap', { timeout: 30_000 }, async () => {
    expect(await herald('config', 'validate', seed)).toEqual({
      code: 0,
      stdout: `${seed}: valid (1 trigger(s), 1 template(s), 1 service(s), 0 subscription(s))\n`,
      stderr: `herald: no engine config (herald.yaml): services are checked against Herald's built-in sinks (${builtIn}); give --config to check against the sinks your engine loads\n`,
    });
  });

  it('lists every error with its key and line and exits 1', async () => {
    const cm = file('broken.yaml', [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: broken}',
      'data:',
      '  trigger.on-x: |',
      '    when: "true"',
      '  template.t: |',
      '    message: "{{range .l}}{{break}}{{end}}"',
      '  service.a.b.c: "url: x"',
    ].join('\n'));
    const result = await herald('config', 'validate', cm);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${cm}:5: error: trigger\\.on-x: must be a YAML list`)),
      expect.stringMatching(new RegExp(`^${cm}:7: error: template\\.t: .*break`)),
      expect.stringMatching(new RegExp(`^${cm}:9: error: service\\.a\\.b\\.c: must be service`)),
      '3 error(s)',
    ]);
    const json = await herald('config', 'validate', cm, '-o', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, issues: [{ key: 'trigger.on-x', line: 5 }, { key: 'template.t', line: 7 }, { key: 'service.a.b.c', line: 9 }] });
  });

  // A process of its own: stdin is read once per process.
  it('reads the ConfigMap from stdin with -', { timeout: 30_000 }, () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--conditions=herald-source', main, 'config', 'validate', '-'], { input: 'data:\n  trigger.t: "- when: x ==\\n  send: []"\n', encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^<stdin>:2: error: trigger\.t\[0\]\.when: /m);
  });

  describe('a condition on the clock', () => {
    const cm = file('clock-cm.yaml', [
      'data:',
      '  trigger.on-stuck: |',
      '    - when: pod.status.phase == "Pending" && time.Now().Sub(time.Parse(pod.metadata.creationTimestamp)).Minutes() >= 5',
      '      send: [t]',
      '  template.t: "message: stuck"',
    ].join('\n'));
    const source = (options: string) => file(`engine-source-${options.length}.yaml`, `plugins:\n  - name: '@herald/source-kubernetes'\n    options: {resources: [{version: v1, resource: pods, kind: Pod}]${options}}\n  - name: '@herald/sink-webhook'\n`);
    const warning = (reason: string) => `${cm}:2: warning: trigger.on-stuck[0].when: reads the clock (time.Now()), but ${reason}`;

    it('is loaded with a warning that the Kubernetes source checks it only on change unless it resyncs', async () => {
      const result = await herald('config', 'validate', cm);
      expect(result.code).toBe(0);
      expect(result.stdout.split('\n').slice(0, 2)).toEqual([
        warning('the Kubernetes source checks it again only when the object changes, not as time passes, unless its resyncPeriod is set (give --config to check herald.yaml)'),
        `${cm}: valid (1 trigger(s), 1 template(s), 0 service(s), 0 subscription(s))`,
      ]);
    });

    it('is warned about when herald.yaml\'s Kubernetes source sets no resyncPeriod, and not when it does', async () => {
      const without = await herald('config', 'validate', cm, '--config', source(''));
      expect(without).toMatchObject({ code: 0, stderr: '' });
      expect(without.stdout).toContain(warning('the Kubernetes source in herald.yaml sets no resyncPeriod, so it is checked again only when the object changes, not as time passes (set resyncPeriod, e.g. 1m: Argo resyncs every minute)'));
      const json = JSON.parse((await herald('config', 'validate', cm, '--config', source(''), '-o', 'json')).stdout);
      expect(json).toMatchObject({ valid: true, issues: [{ severity: 'warning', key: 'trigger.on-stuck[0].when', line: 2 }] });
      expect(await herald('config', 'validate', cm, '--config', source(', resyncPeriod: 1m'))).toMatchObject({
        code: 0,
        stdout: `${cm}: valid (1 trigger(s), 1 template(s), 0 service(s), 0 subscription(s))\n`,
        stderr: '',
      });
    });
  });

  describe('break 7: runs exactly the checks the running engine runs, sink schemas included', () => {
    const cm = file('engine-rejects.yaml', [
      'data:',
      '  service.webhook.a: "url: notaurl"',
      '  service.webhook.b: |',
      '    url: http://receiver.example/',
      '    retryMax: -5',
      '  service.webhook.c: |',
      '    url: http://receiver.example/',
      '    retryMaxx: 1',
      '  template.t: |',
      '    webhook:',
      '      c:',
      '        methd: POST',
    ].join('\n'));
    const expected = [
      expect.stringMatching(new RegExp(`^${cm}:2: error: service\\.webhook\\.a\\.url: is not an absolute URL`)),
      expect.stringMatching(new RegExp(`^${cm}:3: error: service\\.webhook\\.b\\.retryMax: .*>=0`)),
      `${cm}:6: error: service.webhook.c.retryMaxx: unknown key`,
      // A template block's unknown key is ignored, as the engine ignores it (core/notification-config).
      `${cm}:9: warning: template.t.webhook.c.methd: unknown key, ignored`,
      '3 error(s)',
    ];

    it("break 7: without an engine config, refuses what Herald's built-in webhook sink refuses, and says which sinks it checked against", async () => {
      const result = await herald('config', 'validate', cm);
      expect(result.code).toBe(1);
      expect(result.stdout.trim().split('\n')).toEqual(expected);
      expect(result.stderr).toContain(`services are checked against Herald's built-in sinks (${builtIn})`);
    });

    it('break 7: with an engine config, checks with the schemas of the sink plugins it names', async () => {
      const engine = file('engine-with-webhook.yaml', "plugins:\n  - name: '@herald/sink-webhook'\n");
      const result = await herald('config', 'validate', cm, '--config', engine);
      expect(result).toMatchObject({ code: 1, stderr: '' });
      expect(result.stdout.trim().split('\n')).toEqual(expected);
      const json = JSON.parse((await herald('config', 'validate', cm, '--config', engine, '-o', 'json')).stdout);
      expect(json).toMatchObject({ valid: false, sinks: { engineConfig: engine, serviceTypes: ['webhook'] } });
    });

    it('break 6a: shows *** for a value from the Secret in an option the sink refuses', async () => {
      const withSecret = file('secret-option-cm.yaml', 'data:\n  service.webhook.a: |\n    url: http://receiver.example/\n    timeout: $token\n');
      const secret = file('secret.yaml', 'apiVersion: v1\nkind: Secret\nstringData:\n  token: hunter2\n');
      const result = await herald('config', 'validate', withSecret, '--secret', secret);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/error: service\.webhook\.a\.timeout: .*\*\*\*/);
      expect(result.stdout).not.toContain('hunter2');
    });

    it('break 9: refuses a service whose type no sink the engine config names delivers, naming the sink that would', async () => {
      const engine = file('engine-webhook-only.yaml', "plugins:\n  - name: '@herald/sink-webhook'\n");
      const slackCm = file('slack-cm.yaml', 'data:\n  service.slack: |\n    token: xoxb-1\n');
      const result = await herald('config', 'validate', slackCm, '--config', engine);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('error: service.slack: no sink delivers service type "slack"');
      expect(result.stdout).toContain('@herald/sink-slack');
      // Herald's built-in sinks include Slack's.
      expect((await herald('config', 'validate', slackCm)).code).toBe(0);
    });

    it('takes a service of a type herald.yaml says a sink outside Herald delivers (externalSinks)', async () => {
      const engine = file('engine-external.yaml', "plugins:\n  - name: '@herald/sink-webhook'\nexternalSinks:\n  - serviceType: pager\n");
      const pagerCm = file('pager-cm.yaml', 'data:\n  service.pager: |\n    url: http://pager.example/$path\n');
      expect(await herald('config', 'validate', pagerCm, '--config', engine)).toMatchObject({ code: 0 });
      const json = JSON.parse((await herald('config', 'validate', pagerCm, '--config', engine, '-o', 'json')).stdout);
      expect(json).toMatchObject({ valid: true, sinks: { serviceTypes: ['pager', 'webhook'] } });
    });

    it('fails clearly when the engine config cannot name the sinks', async () => {
      const engine = file('engine-broken.yaml', 'plugins:\n  - name: ./nowhere.ts\n');
      const result = await herald('config', 'validate', cm, '--config', engine);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^herald: the sink plugins of .*engine-broken\.yaml cannot be loaded \(herald config check\):\n {2}plugin "\.\/nowhere\.ts": cannot load/);
    });
  });
});
