import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import { startNats, testNatsLimits, type NatsServer } from '@herald/test-harness';
import { engineConfigSchema } from './config/engine-config.schema.ts';
import { Kernel } from './kernel.ts';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const telemetry = startTelemetry({ serviceName: 'notification-config-test', serviceVersion: '0.0.0' });
let nats: NatsServer;

beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats?.stop();
  await telemetry.shutdown();
});

const good = (body: string) => `data:\n  trigger.t: |\n    - when: "true"\n      send: [m]\n  template.m: |\n    message: ${body}\n`;

describe('notification config reloads', () => {
  it('keeps the last good config when an edit is broken, says so in the log and on the bus, and takes the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-notifications-'));
    const file = join(dir, 'cm.yaml');
    writeFileSync(file, good('v1'));
    const logs: string[] = [];
    const logger = createLogger('test', { level: 'info', destination: { write: (line: string) => void logs.push(line) } });
    const config = engineConfigSchema.parse({
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'reload', streamPrefix: 'RELOAD' },
      roles: ['evaluator'],
      notifications: { files: { configMap: file } },
    });
    const listener = await connect({ servers: nats.url });
    const announced: unknown[] = [];
    const sub = listener.subscribe('reload.system.config-rejected', { callback: (_err, m) => void announced.push(m.json()) });
    const kernel = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry });
    try {
      const loaded = () => logs.filter((l) => l.includes('notification config loaded')).length;
      expect(loaded()).toBe(1);

      writeFileSync(file, 'data:\n  trigger.t: |\n    when: "true"\n  template.m: "message: v2"\n');
      await until(() => announced.length === 1, 'the rejection on the bus');
      expect(announced[0]).toMatchObject({
        specversion: '1.0',
        type: 'io.herald.config-rejected.v1',
        data: { origin: `file ${file}`, keptPrevious: true, errors: [expect.stringMatching(/^trigger\.t: must be a YAML list of conditions/)] },
      });
      expect(logs.some((l) => l.includes('"level":"error"') && l.includes('the previous config keeps serving') && l.includes('trigger.t: must be a YAML list'))).toBe(true);
      expect(loaded()).toBe(1);

      writeFileSync(file, good('v3'));
      await until(() => loaded() === 2, 'the fixed config to load');
    } finally {
      sub.unsubscribe();
      await listener.close();
      await kernel.stop();
    }
  });
});

describe('the evaluator before any notification config exists', () => {
  it('leaves events on the bus, then evaluates them once a config loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-notifications-'));
    const file = join(dir, 'cm.yaml');
    const logger = createLogger('test', { level: 'silent' });
    const config = engineConfigSchema.parse({
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'late', streamPrefix: 'LATE' },
      roles: ['evaluator'],
      notifications: { files: { configMap: file } },
    });
    const kernel = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry });
    try {
      await kernel.bus.publisher('herald/test', telemetry.tracer('test')).resourceEvent({
        action: 'ADDED',
        ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'early', uid: 'uid-early' },
        resourceVersion: '1',
        object: { metadata: { name: 'early', namespace: 'default', uid: 'uid-early', annotations: { 'notifications.argoproj.io/subscribe.on-x.hook': '' } }, status: { phase: 'Running' } },
      });
      // Nobody consumes the events yet: no attempt is spent on them.
      expect((await kernel.bus.jsm.streams.info('LATE_EVENTS')).state.consumer_count).toBe(0);

      writeFileSync(file, `data:\n  trigger.on-x: |\n    - when: pod.status.phase == 'Running'\n      send: [m]\n  template.m: "message: hi {{.pod.metadata.name}}"\n  service.webhook.hook: "url: http://127.0.0.1:9"\n`);
      let notifications = 0;
      await until(() => notifications === 1, 'the notification of the waiting event', async () => {
        notifications = (await kernel.bus.jsm.streams.info('LATE_NOTIFICATIONS')).state.messages;
      });
      expect((await kernel.bus.jsm.streams.info('LATE_DEAD_LETTERS')).state.messages).toBe(0);
    } finally {
      await kernel.stop();
    }
  });
});

async function until(check: () => boolean, what: string, refresh?: () => Promise<void>): Promise<void> {
  for (const deadline = Date.now() + 10_000; (await refresh?.(), !check()); await delay(50)) if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}
