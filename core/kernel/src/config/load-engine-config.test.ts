import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { loadEngineConfig } from './load-engine-config.ts';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-config-')), 'herald.yaml');
  writeFileSync(path, text);
  return path;
}

function issuesOf(text: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    loadEngineConfig({ path: file(text), env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected the config to be rejected');
}

describe('engine config (herald.yaml)', () => {
  it('fills every default from an empty file', () => {
    const config = loadEngineConfig({ path: file(''), env: {} });
    expect(config.nats.servers).toEqual(['nats://127.0.0.1:4222']);
    expect(config.nats.streams.events.maxAge).toBe(24 * 3_600_000);
    expect(config.nats.streams.deadLetters.maxBytes).toBe(1024 ** 3);
    expect(config.roles).toEqual(['source', 'evaluator', 'sink', 'state']);
    expect(config.plugins).toEqual([]);
  });

  it('reads durations and sizes written for people', () => {
    const config = loadEngineConfig({
      path: file('nats:\n  duplicateWindow: 90s\n  streams:\n    events: { maxAge: 1h30m, maxBytes: 512MiB }\n'),
      env: {},
    });
    expect(config.nats.duplicateWindow).toBe(90_000);
    expect(config.nats.streams.events.maxAge).toBe(5_400_000);
    expect(config.nats.streams.events.maxBytes).toBe(512 * 1024 * 1024);
  });

  it.each([
    ['an unknown key, with its path and line', 'nats:\n  servers: [nats://127.0.0.1:4222]\n  sever: x\n', 'herald.yaml:3:3: nats.sever: unknown key'],
    ['an unknown top-level key', 'plugin: []\n', 'herald.yaml:1:1: plugin: unknown key'],
    ['a wrong type', 'nats:\n  partitions: many\n', 'herald.yaml:2:3: nats.partitions: Invalid input: expected number, received string'],
    ['a bad duration', 'nats:\n  streams:\n    events:\n      maxAge: 12x\n', 'herald.yaml:4:7: nats.streams.events.maxAge: "12x" is not a duration: unknown unit "x" (use e.g. 500ms, 10s, 5m, 1h30m, 7d)'],
    ['a missing required value', 'plugins:\n  - options: {}\n', 'herald.yaml:2:5: plugins[0].name: Invalid input: expected string, received undefined'],
    ['a value outside its choices', 'plugins:\n  - name: x\n    onBootFailure: ignore\n', 'herald.yaml:3:5: plugins[0].onBootFailure: Invalid option: expected one of "abort"|"continue"'],
  ])('rejects %s', (_, text, expected) => {
    expect(issuesOf(text)).toContain(expected);
  });

  it('reads the service types sinks outside Herald deliver, each once', () => {
    expect(loadEngineConfig({ path: file('externalSinks:\n- serviceType: pager\n'), env: {} }).externalSinks).toEqual([{ serviceType: 'pager' }]);
    expect(issuesOf('externalSinks:\n- serviceType: pager\n- serviceType: pager\n')).toEqual(['herald.yaml:1:1: externalSinks: lists a service type twice']);
    expect(issuesOf('externalSinks:\n- serviceType: pager.x\n')).toEqual(['herald.yaml:2:3: externalSinks[0].serviceType: must be a service type (letters, digits, - and _)']);
  });

  it('reports every problem at once', () => {
    expect(issuesOf('nats:\n  sever: x\nrole: [sink]\n')).toHaveLength(2);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(issuesOf('nats:\n  servers: [a\n')[0]).toMatch(/^herald\.yaml:\d+:\d+: /);
  });

  it('applies HERALD__ environment overrides over the file', () => {
    const config = loadEngineConfig({
      path: file('nats:\n  servers: [nats://a:4222]\nlog:\n  level: info\n'),
      env: {
        HERALD__NATS__SERVERS: '[nats://b:4222, nats://c:4222]',
        HERALD__NATS__STREAMS__EVENTS__MAX_AGE: '12h',
        HERALD__LOG__LEVEL: 'debug',
        HERALD__PLUGINS__0__NAME: '@herald/plugin-testing/ticker',
        HERALD__PLUGINS_FOLDER: './installed',
        HERALD_NATS_SERVER: '/not/a/config/override',
        HERALD_PLUGINS_PATH: '/not/a/config/override/either',
      },
    });
    expect(config.nats.servers).toEqual(['nats://b:4222', 'nats://c:4222']);
    expect(config.nats.streams.events.maxAge).toBe(12 * 3_600_000);
    expect(config.log.level).toBe('debug');
    expect(config.plugins[0]?.name).toBe('@herald/plugin-testing/ticker');
    expect(config.pluginsFolder).toBe('./installed');
  });

  it('keeps secret-looking override values as written', () => {
    const config = loadEngineConfig({
      path: file(''),
      env: { HERALD__NATS__AUTH__PASSWORD: 'abc #1', HERALD__NATS__AUTH__TOKEN: '0123', HERALD__NATS__AUTH__USER: "'quoted'" },
    });
    expect(config.nats.auth).toEqual({ password: 'abc #1', token: '0123', user: "'quoted'" });
  });

  it('reads a cluster connection: mTLS files, an nkey seed file and placement tags', () => {
    const config = loadEngineConfig({
      path: file('nats:\n  servers: [tls://a:4222, tls://b:4222, tls://c:4222]\n  tls: { ca: /tls/ca.crt, cert: /tls/tls.crt, key: /tls/tls.key }\n  auth: { nkeySeedFile: /nkey/seed }\n  placement: { tags: [ssd] }\n  state: { replicas: 3 }\n'),
    });
    expect(config.nats.tls).toEqual({ ca: '/tls/ca.crt', cert: '/tls/tls.crt', key: '/tls/tls.key' });
    expect(config.nats.auth).toEqual({ nkeySeedFile: '/nkey/seed' });
    expect(config.nats.placement).toEqual({ tags: ['ssd'] });
    expect(config.nats.state.replicas).toBe(3);
  });

  it.each([
    ['a client certificate without its key', 'nats:\n  tls: { cert: /tls/tls.crt }\n', 'nats.tls: cert and key go together'],
    ['two credential files', 'nats:\n  auth: { credsFile: /a.creds, nkeySeedFile: /seed }\n', 'nats.auth: set credsFile or nkeySeedFile, not both'],
    [
      'self-service with a config from files',
      'notifications:\n  selfService: true\n  files: { configMap: cm.yaml }\n',
      "notifications.selfService: cannot be combined with notifications.files: self-service reads each namespace's ConfigMap from the cluster",
    ],
  ])('refuses %s', (_what, yaml, message) => {
    expect(issuesOf(yaml).join('\n')).toContain(message);
  });

  it('names the environment variable when an override is wrong', () => {
    expect(issuesOf('', { HERALD__NATS__PARTITIONS: 'lots' })).toContain(
      'env HERALD__NATS__PARTITIONS: nats.partitions: Invalid input: expected number, received string',
    );
    expect(issuesOf('', { HERALD__NATS__SEVER: 'x' })).toContain('env HERALD__NATS__SEVER: nats.sever: unknown key');
  });

  it('fails clearly when the file cannot be read', () => {
    expect(() => loadEngineConfig({ path: '/nonexistent/herald.yaml', env: {} })).toThrow(/\/nonexistent\/herald\.yaml: cannot read/);
  });
});
