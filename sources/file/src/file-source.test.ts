import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { HeraldError, type ResourceEventData } from '@herald/plugin-sdk';
import { manualClock, memoryResyncRequests, recordingLogger, recordingPublisher } from '@herald/plugin-testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileSourceError, FileSourceErrorCodes } from './errors.ts';
import { configSchema } from './file-source.config.ts';
import fileSource from './file-source.ts';
import { SETTLE_MS } from './folder-watch.ts';

const pod = (name: string, phase: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nstatus:\n  phase: ${phase}\n`;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** The plugin as the kernel runs it, on a manual clock, over a temp folder. */
async function startSource(options: Record<string, unknown> = {}, tracer = trace.getTracer('test')) {
  const dir = mkdtempSync(join(tmpdir(), 'herald-file-source-'));
  const clock = manualClock();
  const publisher = recordingPublisher();
  const logger = recordingLogger();
  const requests = memoryResyncRequests();
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  const handle = await fileSource.init({ config: configSchema.parse({ path: dir, ...options }), publisher, logger, clock, tracer, requests, signal: new AbortController().signal });
  stops.push(() => handle.stop());
  const phases = () => publisher.published.map(({ data }) => `${(data as ResourceEventData).action} ${(data as ResourceEventData).ref.name} ${((data as ResourceEventData).object.status as { phase: string }).phase}`);
  /** Moves the clock `step` at a time until `expected` is what was published (the source reads the folder as time passes). */
  const until = (expected: string[], step: number) =>
    vi.waitFor(
      () => {
        clock.advance(step);
        expect(phases()).toEqual(expected);
      },
      { timeout: 10_000, interval: 20 },
    );
  return { dir, clock, publisher, logger, requests, handle, write, phases, until };
}

describe('file source', () => {
  it('publishes the folder at start, each edit as the clock reaches the rescan, and nothing once stopped', async () => {
    const s = await startSource({ rescan: '2s' });
    s.write('a.yaml', pod('a', 'Pending'));
    await s.handle.start();
    await s.until(['ADDED a Pending'], 0);
    s.write('a.yaml', pod('a', 'Running'));
    await s.until(['ADDED a Pending', 'MODIFIED a Running'], 2_000);

    await s.handle.stop();
    await s.handle.stop();
    expect(s.clock.pending()).toBe(0);
    s.write('a.yaml', pod('a', 'Succeeded'));
    s.clock.advance(60_000);
    await new Promise((r) => setImmediate(r));
    expect(s.phases()).toEqual(['ADDED a Pending', 'MODIFIED a Running']);
  });

  it('with resyncPeriod, publishes every unchanged object again each period, marked resync, and without it never', async () => {
    const s = await startSource({ rescan: '1m', resyncPeriod: '10s' });
    s.write('a.yaml', pod('a', 'Pending'));
    await s.handle.start();
    await s.until(['ADDED a Pending'], 0);
    await s.until(['ADDED a Pending', 'MODIFIED a Pending'], 1_000);
    await s.until(['ADDED a Pending', 'MODIFIED a Pending', 'MODIFIED a Pending'], 1_000);
    const [first, second] = s.publisher.published.slice(1).map(({ data }) => (data as ResourceEventData).resync);
    expect(first).toMatch(/^\w+\.1$/);
    expect(second).toMatch(/^\w+\.2$/);
    // Not before ten seconds of the clock each: 10 s after the start, 10 s after the first resync.
    expect(s.clock.now().getTime() - new Date('2026-01-01T00:00:00Z').getTime()).toBeGreaterThanOrEqual(20_000);

    const off = await startSource({ rescan: '1s' });
    off.write('a.yaml', pod('a', 'Pending'));
    await off.handle.start();
    await off.until(['ADDED a Pending'], 0);
    for (let i = 0; i < 60; i++) {
      off.clock.advance(1_000);
      await new Promise((r) => setImmediate(r));
    }
    expect(off.phases()).toEqual(['ADDED a Pending']);
  });

  it('publishes every object again when Herald asks for a resync (the notification config changed), once the requests settle', async () => {
    const s = await startSource({ rescan: '1m' });
    s.write('a.yaml', pod('a', 'Pending'));
    // Made before the start: the start's publishing serves it.
    s.requests.request('trigger.on-ready added');
    await s.handle.start();
    await s.until(['ADDED a Pending'], 0);
    s.requests.request('the first notification config', { resync: false });
    s.requests.request('subscriptions changed');
    s.requests.request('trigger.on-ready changed');
    await s.until(['ADDED a Pending', 'MODIFIED a Pending'], 500);
    expect((s.publisher.published[1]!.data as ResourceEventData).resync).toMatch(/^\w+\.1$/);
    // Requests within the settle time make one resync.
    for (let i = 0; i < 30; i++) {
      s.clock.advance(1_000);
      await new Promise((r) => setImmediate(r));
    }
    expect(s.phases()).toEqual(['ADDED a Pending', 'MODIFIED a Pending']);
  });

  it('resumes a resync the bus broke off at the next rescan, not at once', async () => {
    const s = await startSource({ rescan: '2s', resyncPeriod: '10s' });
    let attempts = 0;
    const take = s.publisher.resourceEvent.bind(s.publisher);
    s.publisher.resourceEvent = (data, options) => {
      if (data.resync === undefined) return take(data, options);
      attempts++;
      return attempts === 1 ? Promise.reject(new HeraldError('HERALD_ERR_BUS_PUBLISH_TIMEOUT', 'no ack', { retryable: true })) : take(data, options);
    };
    s.write('a.yaml', pod('a', 'Pending'));
    await s.handle.start();
    await s.until(['ADDED a Pending'], 0);
    await vi.waitFor(() => {
      if (attempts === 0) s.clock.advance(1_000);
      expect(attempts).toBe(1);
    }, { timeout: 10_000, interval: 20 });
    // The clock stands still: no second attempt, however long the event loop runs.
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(attempts).toBe(1);
    await s.until(['ADDED a Pending', 'MODIFIED a Pending'], 2_000);
    expect(attempts).toBe(2);
  });

  it('reads the folder as soon as the file system reports a change, long before the next rescan', async () => {
    const s = await startSource({ rescan: '1h' });
    await s.handle.start();
    // The first read is done once the source waits for the next rescan.
    await vi.waitFor(() => expect(s.clock.pending()).toBe(1));
    s.write('b.yaml', pod('b', 'Running'));
    // Only the settle wait after the notification passes, never the hour.
    await s.until(['ADDED b Running'], SETTLE_MS);
    expect(s.clock.now().getTime() - new Date('2026-01-01T00:00:00Z').getTime()).toBeLessThan(3_600_000);
  });

  it('deletes an object a moment after its file goes, once a second read confirms it', async () => {
    const s = await startSource({ rescan: '1h' });
    s.write('a.yaml', pod('a', 'Running'));
    await s.handle.start();
    await s.until(['ADDED a Running'], 0);
    const { rmSync } = await import('node:fs');
    rmSync(join(s.dir, 'a.yaml'));
    await s.until(['ADDED a Running', 'DELETED a Running'], SETTLE_MS);
  });

  it('refuses to start on a folder that does not exist, or a file, naming the path', async () => {
    const missing = await startSource({ path: join(tmpdir(), 'herald-no-such-folder') });
    const failure = await missing.handle.start().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(FileSourceError);
    expect(failure).toMatchObject({ code: FileSourceErrorCodes.folder, message: `path: ${join(tmpdir(), 'herald-no-such-folder')} does not exist; create the folder or fix the path` });

    const dir = mkdtempSync(join(tmpdir(), 'herald-file-source-'));
    writeFileSync(join(dir, 'a.yaml'), '');
    const file = await startSource({ path: join(dir, 'a.yaml') });
    await expect(file.handle.start()).rejects.toThrow(`path: ${join(dir, 'a.yaml')} is a file, not a folder of manifests`);
  });

  it('names a broken file as the path option leads to it, with the document, line and field', async () => {
    const s = await startSource({ rescan: '1h' });
    s.write('bad.yaml', 'apiVersion: v1\nmetadata: { name: a }\n');
    await s.handle.start();
    await vi.waitFor(() => expect(s.logger.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([`${s.dir}/bad.yaml document 1 (line 1): kind: required (e.g. "Application")`]));
  });

  it('reads a relative path from the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-file-source-'));
    const s = await startSource({ path: relative(process.cwd(), dir) });
    expect(s.logger.lines.find((l) => l.msg === 'file source configured')!.obj).toMatchObject({ path: dir });
  });

  it('starts each event’s trace with an observe span, as the Kubernetes source does', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const s = await startSource({}, provider.getTracer('herald.plugin.file'));
    s.write('a.yaml', pod('a', 'Running'));
    await s.handle.start();
    await s.until(['ADDED a Running'], 0);
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('observe Pod');
    expect(span!.attributes).toEqual({ 'herald.object': 'default/a', 'k8s.resource.version': (s.publisher.published[0]!.data as ResourceEventData).resourceVersion, 'herald.action': 'ADDED', 'herald.resource': 'pods.v1' });
  });
});

describe('file source options', () => {
  it('has defaults, takes durations as strings, and rejects unknown keys and bad values naming them', () => {
    expect(configSchema.parse({ path: 'manifests' })).toEqual({ path: 'manifests', rescan: 2_000, namespace: 'default', resources: {}, clusterScoped: [] });
    expect(configSchema.parse({ path: 'm', rescan: '500ms', namespace: 'demo', resources: { 'argoproj.io/Application': 'applications' }, clusterScoped: ['Tenant'] })).toMatchObject({ rescan: 500 });
    const issues = (input: unknown) => configSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({})).toEqual(['path: Invalid input: expected string, received undefined']);
    expect(issues({ path: 'm', rescan: 'soon' })).toEqual([expect.stringMatching(/^rescan: "soon" is not a duration/)]);
    expect(issues({ path: 'm', rescan: '10ms' })).toEqual(['rescan: must be at least 100ms']);
    expect(configSchema.parse({ path: 'm', resyncPeriod: '1m' })).toMatchObject({ resyncPeriod: 60_000 });
    expect(issues({ path: 'm', resyncPeriod: '500ms' })).toEqual(['resyncPeriod: must be at least 1s']);
    expect(issues({ path: 'm', watch: true })).toEqual([expect.stringMatching(/^: Unrecognized key: "watch"/)]);
    expect(issues({ path: 'm', resources: { 'apps/v1/Deployment': 'deployments' } })).toEqual([expect.stringMatching(/^resources\.apps\/v1\/Deployment: must be a kind/)]);
    expect(issues({ path: 'm', namespace: 'Demo' })).toEqual([expect.stringMatching(/^namespace: must be a namespace name/)]);
  });
});
