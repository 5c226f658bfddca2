import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry, startTelemetryServer, type TelemetryServer } from '@herald/core-telemetry';
import { startNats, testNatsLimits, type NatsServer } from '@herald/test-harness';
import { installPluginPackage } from '../__fixtures__/plugin-package.ts';
import { engineConfigSchema } from '../config/engine-config.schema.ts';
import { Kernel } from '../kernel.ts';
import { heraldSdkVersion } from './sdk-version.ts';

const notifications = { files: { configMap: fileURLToPath(new URL('../__fixtures__/notifications-cm.yaml', import.meta.url)) } };
const telemetry = startTelemetry({ serviceName: 'installed-plugin-test', serviceVersion: '0.0.0', env: {}, prometheus: true });
let nats: NatsServer;
let server: TelemetryServer | undefined;
let kernel: Kernel | undefined;

beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await kernel?.stop();
  await server?.close();
  await telemetry.shutdown();
  await nats?.stop();
});

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

describe('a plugin installed beside herald.yaml', () => {
  it('runs, loaded by package name, and its coreServices.meter counter is on /metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-installed-'));
    const range = `^${heraldSdkVersion()}`;
    installPluginPackage(join(dir, 'plugins'), { name: 'herald-sink-file', id: 'file', sdkVersion: range, peerRange: range, counter: 'acme_file_writes' });
    const config = engineConfigSchema.parse({
      notifications,
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'installed', streamPrefix: 'INSTALLED' },
      pluginsFolder: './plugins',
      plugins: [{ name: 'herald-sink-file' }],
    });
    kernel = await Kernel.boot({ config, baseDir: dir, logger: createLogger('installed-plugin-test', { level: 'silent' }), telemetry });
    expect(kernel.status()).toEqual([{ id: 'file', name: 'herald-sink-file', kind: 'sink', state: 'running' }]);

    server = await startTelemetryServer({ port: 0, host: '127.0.0.1', metricsHandler: telemetry.metricsHandler, readiness: () => [] });
    expect(await scrape(server.port)).toMatch(/^acme_file_writes_total\{[^}]*folder="out"[^}]*\} 1$/m);
  });
});
