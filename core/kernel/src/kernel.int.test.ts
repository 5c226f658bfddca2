import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import { startNats, testNatsLimits, type NatsServer } from '@herald/test-harness';
import { stopOrder } from './__fixtures__/order-source.ts';
import { probeSeen } from './__fixtures__/probe-source.ts';
import { handled as handledAfterFailedStart } from './__fixtures__/start-fails-source.ts';
import { engineConfigSchema, type EngineConfigInput } from './config/engine-config.schema.ts';
import { KernelErrorCodes, PluginError } from './errors.ts';
import { Kernel } from './kernel.ts';

/** A notification config with a service for each test sink. */
const notifications = { files: { configMap: fileURLToPath(new URL('./__fixtures__/notifications-cm.yaml', import.meta.url)) } };

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const logger = createLogger('kernel-test', { level: 'silent' });
const telemetry = startTelemetry({ serviceName: 'kernel-test', serviceVersion: '0.0.0' });
let nats: NatsServer;
const kernels: Kernel[] = [];

beforeAll(async () => {
  nats = await startNats();
});
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.stop();
});
afterAll(async () => {
  await nats?.stop();
});

let run = 0;
/** Boots a kernel on its own streams, with a ticker and a tap recording to a file, plus `extra` plugins. */
async function boot(extra: NonNullable<EngineConfigInput['plugins']>, policy: 'abort' | 'continue' = 'abort') {
  run++;
  const tapFile = join(mkdtempSync(join(tmpdir(), 'herald-kernel-')), 'tap.jsonl');
  const config = engineConfigSchema.parse({
    notifications,
    nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: `k${run}`, streamPrefix: `K${run}` },
    plugins: [
      ...extra.map((p) => ({ onBootFailure: policy, initTimeout: '300ms', ...p })),
      { name: '@herald/plugin-testing/ticker', options: { intervalMs: 50, count: 3, name: `run-${run}` } },
      { name: '@herald/plugin-testing/tap', options: { file: tapFile } },
    ],
  });
  const kernel = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry });
  kernels.push(kernel);
  return { kernel, tapFile };
}

async function ticksRecorded(tapFile: string, count: number): Promise<number[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = existsSync(tapFile) ? readFileSync(tapFile, 'utf8').trim().split('\n').filter(Boolean) : [];
    const seqs = lines.map((l) => (JSON.parse(l) as { data: { object: { data: { seq: number } } } }).data.object.data.seq);
    if (seqs.length >= count || Date.now() > deadline) return seqs;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('kernel', () => {
  it('gives plugins loaded by package name or path their validated config and the services they asked for', async () => {
    const { kernel, tapFile } = await boot([{ name: './probe-source.ts', options: { endpoint: { url: 'https://pager.example/v1', token: 's3cret' } } }]);
    expect(probeSeen.at(-1)).toEqual({
      config: { endpoint: { url: 'https://pager.example/v1', token: 's3cret' }, retries: 3 },
      services: ['clock', 'logger', 'publisher', 'store'],
    });
    // Its store holds its own keys, apart from every other plugin's.
    expect(await kernel.bus.pluginStore('probe').get('probe-was-here')).toMatchObject({ value: 'yes' });
    expect(await kernel.bus.pluginStore('ticker').get('probe-was-here')).toBeUndefined();
    expect(kernel.status().map((p) => [p.id, p.kind, p.state])).toEqual([
      ['probe', 'source', 'running'],
      ['ticker', 'source', 'running'],
      ['tap', 'sink', 'running'],
    ]);
    // The ticker (loaded by package name) published through its publisher; the tap received over JetStream.
    expect(await ticksRecorded(tapFile, 3)).toEqual([1, 2, 3]);
  });

  it.each([
    ['a plugin for another contract version', { name: './wrong-contract-sink.ts' }, KernelErrorCodes.pluginContract, /^plugin "from-the-future": built for plugin contract 2/],
    ['a plugin needing another SDK', { name: './sdk-mismatch-sink.ts' }, KernelErrorCodes.pluginSdkRange, /^plugin "needs-newer-sdk": needs @herald\/plugin-sdk \^3\.0\.0/],
    ['bad plugin options', { name: './probe-source.ts', options: { endpoint: { url: 'nope' }, retries: -1 } }, KernelErrorCodes.pluginConfig, /^plugin "probe": invalid options: plugins\[0\]\.options\.endpoint\.url: Invalid URL; plugins\[0\]\.options\.retries: /],
    ['an init that throws', { name: './init-throws-sink.ts' }, KernelErrorCodes.pluginInit, /^plugin "init-throws": init failed: cannot reach the pager API$/],
    ['an init that hangs', { name: './init-hangs-sink.ts' }, KernelErrorCodes.pluginTimeout, /^plugin "init-hangs": init did not finish within 300 ms$/],
    ['a service nobody provides', { name: './unknown-dep-source.ts' }, KernelErrorCodes.pluginDeps, /^plugin "unknown-dep": deps\.cache asks for unknown service "acme\.cache"$/],
  ])('stops the boot on %s (onBootFailure: abort)', async (_, plugin, code, message) => {
    const failure = await boot([plugin]).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(PluginError);
    expect((failure as PluginError).code).toBe(code);
    expect((failure as PluginError).message).toMatch(message);
  });

  it('with onBootFailure: continue, leaves failing plugins out and runs the others', async () => {
    const { kernel, tapFile } = await boot(
      [{ name: './wrong-contract-sink.ts' }, { name: './sdk-mismatch-sink.ts' }, { name: './init-throws-sink.ts' }, { name: './init-hangs-sink.ts' }, { name: './probe-source.ts', options: {} }],
      'continue',
    );
    expect(kernel.status().map((p) => [p.id, p.state, p.error?.code])).toEqual([
      ['from-the-future', 'failed', KernelErrorCodes.pluginContract],
      ['needs-newer-sdk', 'failed', KernelErrorCodes.pluginSdkRange],
      ['init-throws', 'failed', KernelErrorCodes.pluginInit],
      ['init-hangs', 'failed', KernelErrorCodes.pluginTimeout],
      ['probe', 'failed', KernelErrorCodes.pluginConfig],
      ['ticker', 'running', undefined],
      ['tap', 'running', undefined],
    ]);
    expect(await ticksRecorded(tapFile, 3)).toEqual([1, 2, 3]);
  });

  it('stops everything a plugin started when it fails to start, so a failed plugin handles nothing', async () => {
    const { kernel, tapFile } = await boot([{ name: './start-fails-source.ts' }], 'continue');
    expect(kernel.status()[0]).toMatchObject({ id: 'start-fails', state: 'failed', error: { code: KernelErrorCodes.pluginInit, message: 'plugin "start-fails": start failed: upstream API refused the watch' } });
    // The ticker's events reach the tap, but not the failed plugin's subscription.
    expect(await ticksRecorded(tapFile, 3)).toEqual([1, 2, 3]);
    await new Promise((r) => setTimeout(r, 300));
    expect(handledAfterFailedStart).toEqual([]);
  });

  it('refuses a second plugin with the same id or the same service type', async () => {
    const config = (names: string[]) =>
      engineConfigSchema.parse({
    notifications, nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'dup', streamPrefix: 'DUP' }, plugins: names.map((name) => ({ name })) });
    await expect(Kernel.boot({ config: config(['@herald/plugin-testing/tap', './second-tap-sink.ts']), baseDir: fixtures, logger, telemetry })).rejects.toThrow(
      'plugin "second-tap": service type "tap" is already delivered by plugin "tap"',
    );
    await expect(Kernel.boot({ config: config(['@herald/plugin-testing/ticker', '@herald/plugin-testing/ticker']), baseDir: fixtures, logger, telemetry })).rejects.toThrow(
      'plugin "ticker": listed twice (plugins[1])',
    );
  });

  it('refuses a sink for a service type herald.yaml says a sink outside Herald delivers', async () => {
    const config = engineConfigSchema.parse({
      notifications,
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'ext', streamPrefix: 'EXT' },
      externalSinks: [{ serviceType: 'tap' }],
      plugins: [{ name: '@herald/plugin-testing/tap' }],
    });
    await expect(Kernel.boot({ config, baseDir: fixtures, logger, telemetry })).rejects.toThrow('plugin "tap": service type "tap" is delivered by a sink outside Herald (herald.yaml externalSinks)');
  });

  it('runs only the plugins of the roles it was asked to run', async () => {
    const config = engineConfigSchema.parse({
    notifications,
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'roles', streamPrefix: 'ROLES' },
      plugins: [{ name: '@herald/plugin-testing/ticker', options: { count: 1 } }, { name: '@herald/plugin-testing/tap' }],
    });
    const kernel = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry, roles: ['sink'] });
    kernels.push(kernel);
    expect(kernel.status().map((p) => [p.id, p.state])).toEqual([
      ['ticker', 'idle'],
      ['tap', 'running'],
    ]);
  });

  it('stops plugins in reverse order and drains the bus', async () => {
    stopOrder.length = 0;
    const { kernel } = await boot([{ name: './order-source.ts', options: { name: 'first' } }, { name: './order-sink.ts', options: { name: 'second' } }]);
    await kernel.stop();
    await kernel.stop();
    expect(stopOrder).toEqual(['second', 'first']);
    expect(kernel.status().map((p) => p.state)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
    expect(kernel.bus.nc.isClosed()).toBe(true);
  });
});
