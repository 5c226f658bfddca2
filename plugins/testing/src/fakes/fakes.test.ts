import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { coreServices, createServiceRef } from '@herald/plugin-sdk';
import { PluginTestingError } from '../errors.ts';
import { fakeCoreServices } from './fake-core-services.ts';
import { recordingTracer } from './recording-tracer.ts';
import { sampleResourceEvent } from './sample-resource-event.ts';
import { manualClock } from './manual-clock.ts';
import { memoryStore } from './memory-store.ts';
import { recordingLogger } from './recording-logger.ts';
import { recordingPublisher } from './recording-publisher.ts';
import { sampleNotification, sampleNotificationTo } from './sample-notification.ts';

describe('fakes of the core services', () => {
  it('manualClock wakes a sleep only once time is moved past it', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00Z'));
    let woke = false;
    const sleep = clock.sleep(1_000).then(() => (woke = true));
    clock.advance(999);
    await Promise.resolve();
    expect(woke).toBe(false);
    clock.advance(1);
    await sleep;
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(clock.pending()).toBe(0);
  });

  it('manualClock rejects a sleep with its signal’s reason', async () => {
    const clock = manualClock();
    const controller = new AbortController();
    const sleep = clock.sleep(1_000, controller.signal);
    controller.abort(new Error('stopped'));
    await expect(sleep).rejects.toThrow('stopped');
  });

  it('memoryStore keeps the compare-and-set rules', async () => {
    const store = memoryStore();
    const first = await store.create('k', 'a');
    expect(await store.create('k', 'b')).toBeUndefined();
    expect(await store.update('k', 'c', first! + 5)).toBeUndefined();
    const second = await store.update('k', 'c', first!);
    expect(await store.get('k')).toEqual({ value: 'c', revision: second });
    expect(await store.delete('k', first)).toBe(false);
    expect(await store.delete('k', second)).toBe(true);
    expect(await store.entries()).toEqual(new Map());
  });

  it('recordingLogger keeps the lines of its children with their bindings, errors readable', () => {
    const logger = recordingLogger();
    logger.child({ plugin: 'acme' }).warn({ err: new Error('boom') }, 'send failed');
    expect(logger.lines).toEqual([{ level: 'warn', bindings: { plugin: 'acme' }, obj: { err: expect.any(Error) }, msg: 'send failed' }]);
    expect(logger.text()).toContain('"message":"boom"');
  });

  it('recordingPublisher keeps what was published, once per id', async () => {
    const publisher = recordingPublisher();
    const n = sampleNotification();
    await publisher.notification(n, { id: 'x' });
    expect(await publisher.notification(n, { id: 'x' })).toMatchObject({ duplicate: true });
    expect(publisher.published).toEqual([{ channel: 'notifications', data: n, options: { id: 'x' } }]);
  });

  it('recordingPublisher keys messages as the bus does, keeping duplicates among its calls only', async () => {
    const publisher = recordingPublisher();
    await publisher.resourceEvent(sampleResourceEvent());
    expect(await publisher.resourceEvent(sampleResourceEvent())).toMatchObject({ id: '2f6a7c1e-0000-4000-8000-000000000001:1001:MODIFIED', duplicate: true });
    expect(publisher.published).toHaveLength(1);
    expect(publisher.calls).toHaveLength(2);
  });

  it('recordingTracer keeps spans with attributes, status, exceptions and the parent of an explicit context', () => {
    const tracer = recordingTracer();
    const parent = tracer.startSpan('deliver', { attributes: { 'herald.service': 'acme' } });
    const child = tracer.startSpan('POST', {}, trace.setSpan(ROOT_CONTEXT, parent));
    child.recordException(new Error('boom'));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    child.end();
    tracer.startActiveSpan('active', (span) => span.end());
    expect(tracer.spans).toMatchObject([
      { name: 'deliver', attributes: { 'herald.service': 'acme' }, ended: false, parent: undefined },
      { name: 'POST', status: { code: SpanStatusCode.ERROR }, exceptions: [expect.any(Error)], ended: true, parent: 'deliver' },
      { name: 'active', ended: true },
    ]);
  });

  it('fakeCoreServices resolves the deps a plugin names, and refuses a service that is not a core one', () => {
    const services = fakeCoreServices();
    const deps = services.resolve({ log: coreServices.logger, store: coreServices.store, clock: coreServices.clock });
    deps.log.info('hello');
    expect(services.logger.lines).toHaveLength(1);
    expect(deps.store).toBe(services.store);
    expect(deps.clock).toBe(services.clock);
    expect(() => services.resolve({ pager: createServiceRef<unknown>('acme.pager') })).toThrow(PluginTestingError);
    expect(() => services.resolve({ pager: createServiceRef<unknown>('acme.pager') })).toThrow('deps.pager is service acme.pager, which is not a core service');
  });
});

describe('sampleNotificationTo', () => {
  it('addresses the sample to a recipient of a service type, the state key following the destination', () => {
    const n = sampleNotificationTo('opsgenie', 'shop', { message: 'm', opsgenie: { priority: 'P3' } }, { idempotencyKey: 'k1' });
    expect(n).toMatchObject({ destination: { serviceType: 'opsgenie', service: 'opsgenie', recipient: 'shop' }, rendered: { message: 'm', opsgenie: { priority: 'P3' } }, idempotencyKey: 'k1' });
    expect(n.stateKey).toBe(`${n.trigger}:${n.conditionKey}:opsgenie:shop`);
  });
});
