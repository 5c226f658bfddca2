import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServer } from '@herald/test-harness';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const notificationsCm = fileURLToPath(new URL('../../kernel/src/__fixtures__/notifications-cm.yaml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'herald-cli-'));

function herald(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  const run = spawnSync(process.execPath, ['--conditions=herald-source', main, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000, ...(cwd ? { cwd } : {}) });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('herald CLI', () => {
  it('prints its version for people and for machines', () => {
    expect(herald(['version'])).toMatchObject({ code: 0, stdout: `herald 0.1.0 (plugin contract 1, plugin SDK 1.1.0, node ${process.version})\n` });
    const json = herald(['version', '-o', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ version: '0.1.0', pluginContract: 1, sdk: '1.1.0', node: process.version });
  });

  it.each([['run', '--help'], ['version', '--help'], ['config', 'check', '--help'], ['--help']])('has help for `herald %s`', (...args) => {
    const result = herald(args);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: herald/);
  });

  it.each([
    [['bogus'], /unknown command 'bogus'/],
    [['run', '--role', 'gardener'], /"gardener" is not a role; use source, evaluator, sink, state/],
    [['version', '-o', 'xml'], /argument 'xml' is invalid/],
  ])('exits 2 on a usage error: %j', (args, message) => {
    const result = herald(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it.each([
    ['an unknown key', 'nats:\n  url: nats://127.0.0.1:4222\n', 'herald.yaml:2:3: nats.url: unknown key'],
    ['a wrong type', 'roles: sink\n', 'herald.yaml:1:1: roles: Invalid input: expected array, received string'],
    ['a missing required value', 'plugins:\n  - onBootFailure: continue\n', 'herald.yaml:2:5: plugins[0].name: Invalid input: expected string, received undefined'],
  ])('exits 1 on %s in herald.yaml, naming the key path', (_, text, issue) => {
    const path = configFile('herald.yaml', text);
    for (const args of [['run', '-c', path], ['config', 'check', '-c', path]]) {
      const result = herald(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(issue);
    }
    const json = herald(['config', 'check', '-c', path, '-o', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'HERALD_ERR_CONFIG_INVALID', issues: [issue] } });
  });
});

describe('herald config check', () => {
  const probe = fileURLToPath(new URL('../../kernel/src/__fixtures__/probe-source.ts', import.meta.url));

  it('validates each plugin’s options and shows them with secrets redacted', () => {
    const path = configFile('secret.yaml', `plugins:\n  - name: ${probe}\n    options: { endpoint: { url: "https://pager.example/", token: sk-live-123 } }\n`);
    const result = herald(['config', 'check', '-c', path, '-o', 'json']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('sk-live-123');
    expect(JSON.parse(result.stdout).config.plugins[0]).toMatchObject({
      id: 'probe',
      kind: 'source',
      options: { endpoint: { url: 'https://pager.example/', token: '[redacted]' }, retries: 3 },
    });
    expect(herald(['config', 'check', '-c', path]).stdout).toContain('valid (1 plugin(s): probe;');
  });

  it('fails on plugin options `herald run` would refuse, naming the key path', () => {
    const path = configFile('bad-options.yaml', `plugins:\n  - name: ${probe}\n    options: { endpoint: { url: nope }, retry: 1 }\n`);
    const result = herald(['config', 'check', '-c', path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('plugin "probe": invalid options: plugins[0].options.endpoint.url: Invalid URL; plugins[0].options.retry: unknown key');
  });

  it('refuses a config listing the same plugin twice, as `herald run` does', () => {
    const path = configFile('twice.yaml', `plugins:\n  - name: ${probe}\n    options: { endpoint: { url: "https://pager.example/" } }\n  - name: ${probe}\n    options: { endpoint: { url: "https://pager.example/" } }\n`);
    const result = herald(['config', 'check', '-c', path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('plugin "probe": listed twice (plugins[1])');
  });

  it('reads ./herald.yaml as `herald run` does when neither -c nor $HERALD_CONFIG names one, and refuses a plugin listed twice there', () => {
    const here = mkdtempSync(join(tmpdir(), 'herald-cli-cwd-'));
    const entry = `  - name: ${probe}\n    options: { endpoint: { url: "https://pager.example/" } }\n`;
    writeFileSync(join(here, 'herald.yaml'), `plugins:\n${entry}`);
    const env = { HERALD_CONFIG: '' };
    expect(herald(['config', 'check'], env, here)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^herald\.yaml: valid \(1 plugin\(s\): probe;/) });
    writeFileSync(join(here, 'herald.yaml'), `plugins:\n${entry}${entry}`);
    const twice = herald(['config', 'check', '-o', 'json'], env, here);
    expect(twice.code).toBe(1);
    expect(JSON.parse(twice.stdout)).toMatchObject({ error: { code: 'HERALD_ERR_PLUGIN_CONFIG', issues: [expect.stringContaining('plugin "probe": listed twice (plugins[1])')] } });
  });

  it('finds a plugin installed with npm beside herald.yaml by its package name, and names the folders it searched for one that is not', () => {
    const user = mkdtempSync(join(tmpdir(), 'herald-cli-plugins-'));
    const pkg = join(user, 'plugins', 'node_modules', 'herald-sink-file');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    // Plain JavaScript, `exports` with only `import`, the SDK a peer it has no copy of.
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'herald-sink-file', version: '1.0.0', type: 'module', exports: { '.': { import: './dist/index.js' } }, peerDependencies: { '@herald/plugin-sdk': '>=0.1.0' } }));
    writeFileSync(
      join(pkg, 'dist', 'index.js'),
      "import { defineSink, z } from '@herald/plugin-sdk';\nexport default defineSink({ id: 'file', sdkVersion: '>=0.1.0', serviceTypes: ['file'], configSchema: z.strictObject({ folder: z.string() }), deps: {}, init: async () => ({ send: async () => undefined, stop: async () => undefined }) });\n",
    );
    const path = join(user, 'herald.yaml');
    writeFileSync(path, 'pluginsFolder: ./plugins\nplugins:\n  - name: herald-sink-file\n    options: { folder: /var/out }\n');
    const result = herald(['config', 'check', '-c', path, '-o', 'json'], { HERALD_PLUGINS_PATH: join(user, 'image') });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout).config.plugins[0]).toMatchObject({ name: 'herald-sink-file', id: 'file', kind: 'sink', options: { folder: '/var/out' } });

    // A module file next to herald.yaml, outside any package, gets Herald's SDK too.
    writeFileSync(join(user, 'my-sink.mjs'), "import { defineSink, z } from '@herald/plugin-sdk';\nexport default defineSink({ id: 'mine', sdkVersion: '*', serviceTypes: ['mine'], configSchema: z.strictObject({}), deps: {}, init: async () => ({ send: async () => undefined, stop: async () => undefined }) });\n");
    writeFileSync(path, 'plugins:\n  - name: ./my-sink.mjs\n');
    expect(herald(['config', 'check', '-c', path])).toMatchObject({ code: 0, stdout: expect.stringContaining('valid (1 plugin(s): mine;') });

    writeFileSync(path, 'pluginsFolder: ./plugins\nplugins:\n  - name: herald-sink-nowhere\n');
    const missing = herald(['config', 'check', '-c', path], { HERALD_PLUGINS_PATH: join(user, 'image') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`plugin "herald-sink-nowhere": no package "herald-sink-nowhere" in any plugin folder; searched, in order:\n`);
    for (const folder of [join(user, 'plugins', 'node_modules'), join(user, 'node_modules'), join(user, 'image', 'node_modules')]) expect(missing.stderr).toContain(folder);
  });

  it('takes services of a type a sink outside Herald delivers (externalSinks), and refuses that type delivered by a listed plugin too', () => {
    const cm = configFile('pager-cm.yaml', 'data:\n  service.pager: |\n    url: http://pager.example/\n');
    const path = configFile('external.yaml', `notifications:\n  files: { configMap: ${cm} }\nexternalSinks:\n  - serviceType: pager\n`);
    expect(herald(['config', 'check', '-c', path])).toMatchObject({ code: 0, stderr: '' });
    const both = configFile('external-twice.yaml', "externalSinks:\n  - serviceType: webhook\nplugins:\n  - name: '@herald/sink-webhook'\n");
    const refused = herald(['config', 'check', '-c', both]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('plugin "webhook": service type "webhook" is delivered by a sink outside Herald (herald.yaml externalSinks)');
  });

  it('loads a notification config read from files as the engine does, services checked by their sink’s schema', () => {
    const cm = (url: string) => configFile('notifications-cm.yaml', `data:\n  service.webhook.hook: |\n    url: ${url}\n  template.t: "message: hi"\n`);
    const path = configFile('with-files.yaml', `notifications:\n  files: { configMap: ${cm('not-a-url')} }\nplugins:\n  - name: '@herald/sink-webhook'\n`);
    const bad = herald(['config', 'check', '-c', path]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/the notification config has errors:\n.*notifications-cm\.yaml:2: error: service\.webhook\.hook\.url: /);
    cm('http://receiver.example/hook');
    const good = herald(['config', 'check', '-c', path]);
    expect(good).toMatchObject({ code: 0, stderr: '' });
    expect(good.stdout).toContain('notifications-cm.yaml: 0 trigger(s), 1 template(s), 1 service(s))');
  });

  it('prints the warnings of a notification config read from files, as `herald run` logs them: a condition on the clock without a resync', () => {
    const cm = configFile('clock-cm.yaml', 'data:\n  trigger.on-stuck: |\n    - when: time.Now().Sub(time.Parse(pod.metadata.creationTimestamp)).Minutes() >= 5\n      send: [t]\n  template.t: "message: stuck"\n');
    const engine = (resync: string) =>
      configFile(`clock${resync.length}.yaml`, `notifications:\n  files: { configMap: ${cm} }\nplugins:\n  - name: '@herald/source-kubernetes'\n    options: {resources: [{version: v1, resource: pods, kind: Pod}]${resync}}\n  - name: '@herald/sink-webhook'\n`);
    const warning = `${cm}:2: warning: trigger.on-stuck[0].when: reads the clock (time.Now()), but the Kubernetes source in herald.yaml sets no resyncPeriod`;
    const without = herald(['config', 'check', '-c', engine('')]);
    expect(without.code).toBe(0);
    expect(without.stderr).toContain(warning);
    expect(without.stdout).toContain('clock-cm.yaml: 1 trigger(s), 1 template(s), 0 service(s))');
    expect(JSON.parse(herald(['config', 'check', '-c', engine(''), '-o', 'json']).stdout)).toMatchObject({ valid: true, warnings: [expect.stringContaining(warning)] });
    const resyncing = herald(['config', 'check', '-c', engine(', resyncPeriod: 1m')]);
    expect(resyncing).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(herald(['config', 'check', '-c', engine(', resyncPeriod: 1m'), '-o', 'json']).stdout)).not.toHaveProperty('warnings');
  });

  it('redacts NATS credentials', () => {
    const result = herald(['config', 'check', '-o', 'json'], { HERALD__NATS__AUTH__TOKEN: 's3cret-token' });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('s3cret-token');
    expect(JSON.parse(result.stdout).config.nats.auth).toEqual({ token: '[redacted]' });
  });
});

describe('break 6d: NATS credentials in a server URL are never printed', () => {
  const servers = { HERALD__NATS__SERVERS: '[nats://herald:hunter2@127.0.0.1:1]' };

  it('break 6d: `config check -o json` shows the server without them', () => {
    const result = herald(['config', 'check', '-o', 'json'], servers);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('hunter2');
    expect(JSON.parse(result.stdout).config.nats.servers).toEqual(['nats://***@127.0.0.1:1']);
  });

  it('break 6d: a connection error shows the server without them', () => {
    const result = herald(['dlq', 'list'], servers);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^herald: cannot connect to NATS at nats:\/\/\*\*\*@127\.0\.0\.1:1: /);
    expect(result.stderr).not.toContain('hunter2');
  });

  it('break 6d: the connect log line of `herald run` shows the server without them', async () => {
    const child = spawn(process.execPath, ['--conditions=herald-source', main, 'run', '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...servers } });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const deadline = Date.now() + 15_000;
      while (!stderr.includes('connecting to NATS') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const line = stderr.split('\n').find((l) => l.includes('connecting to NATS'));
      expect(JSON.parse(line!)).toMatchObject({ servers: ['nats://***@127.0.0.1:1'] });
      expect(stderr).not.toContain('hunter2');
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  });
});

describe('herald run while NATS is not reachable', () => {
  it('waits for NATS, and stops at once when asked to', async () => {
    const child = spawn(process.execPath, ['--conditions=herald-source', main, 'run', '-o', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HERALD__NATS__SERVERS: '[nats://127.0.0.1:1]' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const deadline = Date.now() + 15_000;
      while (!stderr.includes('connecting to NATS') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1_000));
      expect(child.exitCode).toBeNull();
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(0);
      expect(JSON.parse(stdout.trim())).toEqual({ event: 'stopped', plugins: [] });
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('herald run with unusable OTEL_* values', () => {
  it('says so in one warning naming each bad variable, and goes on starting', async () => {
    const child = spawn(process.execPath, ['--conditions=herald-source', main, 'run', '-o', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HERALD__NATS__SERVERS: '[nats://127.0.0.1:1]', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' },
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const deadline = Date.now() + 15_000;
      while (!stderr.includes('connecting to NATS') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(child.exitCode).toBeNull();
      const warnings = stderr.split('\n').filter((l) => l.includes('OpenTelemetry'));
      expect(warnings).toHaveLength(1);
      const warning = JSON.parse(warnings[0]!) as { level: string; msg: string };
      expect(warning.level).toBe('warn');
      expect(warning.msg).toContain('Herald runs without exporting traces');
      expect(warning.msg).toContain('OTEL_EXPORTER_OTLP_PROTOCOL="thrift"');
      expect(warning.msg).toContain('OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318"');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('herald run with nats-server killed mid-stream', () => {
  let nats: NatsServer;
  let child: ChildProcess;
  const ticks = 60;
  const tapFile = join(dir, 'tap.jsonl');
  let stdout = '';
  let stderr = '';

  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await nats?.stop();
  });

  function recordedSeqs(): number[] {
    if (!existsSync(tapFile)) return [];
    return readFileSync(tapFile, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { data: { object: { data: { seq: number } } } }).data.object.data.seq);
  }

  async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nstdout:\n${stdout}\nstderr (tail):\n${stderr.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('exits 1 and names the plugin when a plugin cannot boot', () => {
    const path = configFile('bad-plugin.yaml', `nats:\n  servers: [${nats.url}]\nplugins:\n  - name: ./nowhere.ts\n`);
    const result = herald(['run', '-c', path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^herald: plugin "\.\/nowhere\.ts": cannot load: /m);
  });

  it('delivers every message published before and after, and keeps running', async () => {
    const path = configFile(
      'resilience.yaml',
      [
        'nats:',
        `  servers: [${nats.url}]`,
        `notifications: { files: { configMap: ${notificationsCm} } }`,
        'plugins:',
        '  - name: "@herald/plugin-testing/ticker"',
        `    options: { intervalMs: 100, count: ${ticks} }`,
        '  - name: "@herald/plugin-testing/tap"',
        `    options: { file: ${tapFile} }`,
      ].join('\n'),
    );
    child = spawn(process.execPath, ['--conditions=herald-source', main, 'run', '-c', path, '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await until(() => stdout.includes('"event":"running"'), 'herald to start');
    await until(() => recordedSeqs().length >= 15, 'the first ticks');

    await nats.kill();
    await new Promise((r) => setTimeout(r, 2_000));
    expect(child.exitCode).toBeNull();
    await nats.start();

    await until(() => new Set(recordedSeqs()).size === ticks, `all ${ticks} ticks`, 90_000);
    expect(child.exitCode).toBeNull();
    expect(stderr).toContain('disconnected from NATS; reconnecting');
    expect(stderr).toContain('reconnected to NATS');
    const seqs = recordedSeqs();
    expect([...new Set(seqs)].sort((a, b) => a - b)).toEqual(Array.from({ length: ticks }, (_, i) => i + 1));

    // Every tick was stored once, whatever was retried across the outage.
    const nc = await connect({ servers: nats.url });
    const info = await (await jetstreamManager(nc)).streams.info('HERALD_EVENTS');
    await nc.close();
    expect(info.state.messages).toBe(ticks);

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(stdout).toContain('"event":"stopped"');
  }, 180_000);
});
