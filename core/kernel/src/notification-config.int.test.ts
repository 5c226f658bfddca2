import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  it('refuses a broken part alone: it keeps its last good version, says so in the log and on the bus, and the rest of the edit applies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-notifications-'));
    const file = join(dir, 'cm.yaml');
    writeFileSync(file, good('v1'));
    const logs: string[] = [];
    const logger = createLogger('test', { level: 'info', destination: { write: (line: string) => void logs.push(line) } });
    const config = engineConfigSchema.parse({
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'reload', streamPrefix: 'RELOAD' },
      roles: ['evaluator'],
      // Listed, though idle here: a service no listed sink delivers would be refused.
      plugins: [{ name: '@herald/sink-webhook' }],
      notifications: { files: { configMap: file } },
    });
    const listener = await connect({ servers: nats.url });
    const announced: unknown[] = [];
    const sub = listener.subscribe('reload.system.config-rejected', { callback: (_err, m) => void announced.push(m.json()) });
    const kernel = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry });
    try {
      const loaded = () => logs.filter((l) => l.includes('notification config loaded')).map((l) => JSON.parse(l) as { refused: string[] });
      expect(loaded()).toHaveLength(1);

      writeFileSync(file, 'data:\n  trigger.t: |\n    when: "true"\n  template.m: "message: v2"\n');
      await until(() => announced.length === 1, 'the rejection on the bus');
      expect(announced[0]).toMatchObject({
        specversion: '1.0',
        type: 'io.herald.config-rejected.v1',
        data: { origin: `file ${file}`, part: 'trigger.t', keptPrevious: true, errors: [expect.stringMatching(/^trigger\.t: must be a YAML list of conditions.* \(.*cm\.yaml:2\)$/)] },
      });
      expect(logs.some((l) => l.includes('"level":"error"') && l.includes('trigger.t is broken; its previous version keeps serving') && l.includes('trigger.t: must be a YAML list'))).toBe(true);
      // The valid template of the same edit is in force.
      await until(() => loaded().length === 2, 'the rest of the edit to load');
      expect(loaded()[1]!.refused).toEqual(['trigger.t']);

      writeFileSync(file, good('v3'));
      await until(() => loaded().length === 3, 'the fixed config to load');
      expect(loaded()[2]!.refused).toEqual([]);
      expect(announced).toHaveLength(1);
    } finally {
      sub.unsubscribe();
      await listener.close();
      await kernel.stop();
    }
  });
});

describe('a condition on the clock', () => {
  it("is loaded with a warning when herald.yaml's source evaluates objects only when they change", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-notifications-'));
    const file = join(dir, 'cm.yaml');
    writeFileSync(file, 'data:\n  trigger.t: |\n    - when: time.Now().Unix() > 0\n      send: [m]\n  template.m: "message: hi"\n');
    const logs: string[] = [];
    const logger = createLogger('test', { level: 'info', destination: { write: (line: string) => void logs.push(line) } });
    const config = engineConfigSchema.parse({
      nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: 'clock', streamPrefix: 'CLOCK' },
      roles: ['evaluator'],
      // The file source is listed for another process to run: this one only evaluates.
      plugins: [{ name: '@herald/source-file', options: { path: join(dir, 'objects') } }, { name: '@herald/sink-webhook' }],
      notifications: { files: { configMap: file } },
    });
    const kernel = await Kernel.boot({ config, baseDir: fixtures, logger, telemetry });
    try {
      const warned = logs.map((l) => JSON.parse(l) as { level: string; msg: string; warnings?: string[] }).filter((l) => l.msg.includes('has warnings'));
      expect(warned).toEqual([
        expect.objectContaining({
          level: 'warn',
          warnings: [expect.stringMatching(/^trigger\.t\[0\]\.when: reads the clock \(time\.Now\(\)\), but the file source in herald\.yaml sets no resyncPeriod/)],
        }),
      ]);
      expect(logs.filter((l) => l.includes('notification config loaded'))).toHaveLength(1);
    } finally {
      await kernel.stop();
    }
  });
});

describe('a sink-only process', () => {
  it('serves a service added by a reload while a template of the same ConfigMap is broken, and compiles no template', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-notifications-'));
    const file = join(dir, 'cm.yaml');
    const tapFile = join(dir, 'tap.jsonl');
    const broken = 'data:\n  trigger.t: |\n    - when: "true"\n      send: [m]\n  template.m: |\n    message: "{{.pod.metadata.name"\n  service.tap.first: "{}"\n';
    writeFileSync(file, broken);
    const logs = (into: string[]) => createLogger('test', { level: 'info', destination: { write: (line: string) => void into.push(line) } });
    const configFor = (prefix: string, roles: string[]) =>
      engineConfigSchema.parse({
        nats: { ...testNatsLimits, servers: [nats.url], subjectPrefix: prefix, streamPrefix: prefix.toUpperCase() },
        roles,
        notifications: { files: { configMap: file } },
        plugins: [{ name: '@herald/plugin-testing/tap', options: { file: tapFile, watch: [] } }],
        sink: { maxDeliver: 2 },
      });
    const sinkLogs: string[] = [];
    const sink = await Kernel.boot({ config: configFor('sinkonly', ['sink']), baseDir: fixtures, logger: logs(sinkLogs), telemetry });
    const evaluatorLogs: string[] = [];
    try {
      const loaded = () => sinkLogs.filter((l) => l.includes('notification config loaded')).map((l) => JSON.parse(l) as { services: string[]; compiled: Record<string, number> });
      expect(loaded()).toHaveLength(1);

      writeFileSync(file, `${broken}  service.tap.added: "{}"\n`);
      await until(() => loaded().length === 2, 'the reload with the new service');
      expect(loaded()[1]!.services).toEqual(['first', 'added']);
      await sink.bus.publisher('herald/test', telemetry.tracer('test')).notification({
        trigger: 't',
        conditionKey: '[0].abc',
        template: 'm',
        destination: { serviceType: 'tap', service: 'added', recipient: '' },
        stateKey: 't:[0].abc:added:',
        idempotencyKey: 'key-added',
        claimRevision: 1,
        ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'uid-web-1' },
        rendered: { message: 'to the new service' },
      });
      const deliveredTo = () => (existsSync(tapFile) ? readFileSync(tapFile, 'utf8').split('\n').slice(0, -1).map((l) => (JSON.parse(l) as { data: { destination: { service: string } } }).data.destination.service) : []);
      await until(() => deliveredTo().length === 1, 'the delivery to the new service');
      expect(deliveredTo()).toEqual(['added']);

      // Nothing in this process compiled a trigger or a template, so the broken one was never even noticed…
      expect(loaded().map((l) => l.compiled)).toEqual([
        { triggers: 0, templates: 0 },
        { triggers: 0, templates: 0 },
      ]);
      expect(sinkLogs.filter((l) => l.includes('template.m'))).toEqual([]);
      // …which an evaluator on the same ConfigMap does, at load time.
      const evaluator = await Kernel.boot({ config: configFor('withevaluator', ['evaluator']), baseDir: fixtures, logger: logs(evaluatorLogs), telemetry });
      await evaluator.stop();
      expect(evaluatorLogs.some((l) => l.includes('"level":"error"') && l.includes('template.m is broken; it is left out until it is fixed'))).toBe(true);
      expect(evaluatorLogs.map((l) => JSON.parse(l) as { compiled?: Record<string, number> }).find((l) => l.compiled)!.compiled).toEqual({ triggers: 1, templates: 1 });
    } finally {
      await sink.stop();
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
      // Listed, though idle here: a service no listed sink delivers would be refused.
      plugins: [{ name: '@herald/sink-webhook' }],
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
