import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { defineSink, defineSource, isHeraldPlugin } from './define-plugin.ts';
import { coreServices } from './service-ref.ts';
import { CONTRACT_VERSION, PLUGIN_BRAND } from './version.ts';
import { z } from 'zod';
import type { BusPublisher } from './bus.ts';
import type { Logger } from './services.ts';

const sinkOptions = () => ({
  id: 'echo',
  sdkVersion: '^1.0.0',
  serviceTypes: ['echo'],
  configSchema: z.strictObject({ url: z.string() }),
  deps: { logger: coreServices.logger },
  init: async () => ({ send: async () => undefined, stop: async () => undefined }),
});

describe('defineSource / defineSink', () => {
  it('brands the plugin with the kind and the contract version', () => {
    const sink = defineSink(sinkOptions());
    expect(isHeraldPlugin(sink)).toBe(true);
    expect(sink[PLUGIN_BRAND]).toBe(true);
    expect(sink.kind).toBe('sink');
    expect(sink.contractVersion).toBe(CONTRACT_VERSION);
    const source = defineSource({ id: 'tick', sdkVersion: '^1.0.0', configSchema: z.strictObject({}), deps: {}, init: async () => ({ start: async () => undefined, stop: async () => undefined }) });
    expect(source.kind).toBe('source');
    expect(source.contractVersion).toBe(CONTRACT_VERSION);
  });

  it('takes the kind and the contract version from the SDK, never from the options', () => {
    const forged = defineSink({ ...sinkOptions(), kind: 'source', contractVersion: 99, [PLUGIN_BRAND]: false } as ReturnType<typeof sinkOptions>);
    expect(forged).toMatchObject({ kind: 'sink', contractVersion: CONTRACT_VERSION });
    expect(isHeraldPlugin(forged)).toBe(true);
  });

  it('freezes the plugin, and leaves the options object as it was', () => {
    const options = sinkOptions();
    const sink = defineSink(options);
    expect(Object.isFrozen(sink)).toBe(true);
    expect(() => {
      (sink as { id: string }).id = 'other';
    }).toThrow(TypeError);
    expect(sink.id).toBe('echo');
    expect(sink).not.toBe(options);
    expect(Object.isFrozen(options)).toBe(false);
    expect(options).not.toHaveProperty('kind');
  });

  it('tells a plugin from any other export', () => {
    for (const value of [undefined, null, 'webhook', 42, {}, { id: 'echo', kind: 'sink', contractVersion: CONTRACT_VERSION }, { [Symbol('herald.plugin/v1')]: true }, sinkOptions()]) {
      expect(isHeraldPlugin(value)).toBe(false);
    }
  });

  it('recognises a plugin made by another copy of the SDK (the brand is a registered symbol)', async () => {
    // Fresh module instances (define-plugin.ts and version.ts evaluated again) stand for a plugin that
    // bundles its own SDK.
    vi.resetModules();
    const copy = await import('./define-plugin.ts');
    expect(copy.defineSink).not.toBe(defineSink);
    const foreign = copy.defineSink(sinkOptions());
    expect(isHeraldPlugin(foreign)).toBe(true);
    expect(copy.isHeraldPlugin(defineSink(sinkOptions()))).toBe(true);
  });

  it('hands init its context unchanged and returns its handle', async () => {
    const published: unknown[] = [];
    const publisher = { resourceEvent: async (data: unknown) => (published.push(data), { id: '1', stream: 's', seq: 1, duplicate: false }) } as unknown as BusPublisher;
    const logger = { info: () => undefined } as unknown as Logger;
    const source = defineSource({
      id: 'typed',
      sdkVersion: '^1.0.0',
      configSchema: z.strictObject({ every: z.number().default(5) }),
      deps: { publisher: coreServices.publisher, logger: coreServices.logger },
      init: async (ctx) => {
        // Checked by the type checker: exactly the declared services and the parsed config.
        expectTypeOf(ctx.config.every).toEqualTypeOf<number>();
        expectTypeOf(ctx.publisher).toEqualTypeOf<BusPublisher>();
        expectTypeOf(ctx.logger).toEqualTypeOf<Logger>();
        // @ts-expect-error: not declared in deps
        void ctx.state;
        return {
          start: async () => void (await ctx.publisher.resourceEvent({ every: ctx.config.every } as never)),
          stop: async () => undefined,
        };
      },
    });
    const handle = await source.init({ config: { every: 7 }, publisher, logger, signal: new AbortController().signal });
    await handle.start();
    expect(published).toEqual([{ every: 7 }]);
  });

  it('keeps what a sink declares for core/delivery and the notification config: limits, template schema, retry policy', () => {
    const serviceConfigSchema = z.strictObject({ url: z.string(), retries: z.number().default(2) });
    const sink = defineSink({
      id: 'pager',
      sdkVersion: '^1.0.0',
      serviceTypes: ['pager'],
      configSchema: z.strictObject({}),
      serviceConfigSchema,
      templateSchema: z.strictObject({ summary: z.string().optional() }),
      limits: { perSecond: 1, burst: 3 },
      retryPolicy: (service) => ({ maxAttempts: service.retries + 1, backoffMinMs: 500 }),
      deps: {},
      init: async () => ({ send: async () => undefined, stop: async () => undefined }),
    });
    expect(sink.limits).toEqual({ perSecond: 1, burst: 3 });
    expect(sink.retryPolicy!(serviceConfigSchema.parse({ url: 'x' }))).toEqual({ maxAttempts: 3, backoffMinMs: 500 });
    expect(sink.templateSchema!.safeParse({ summary: 's' }).success).toBe(true);
    expect(sink.templateSchema!.safeParse({ sumary: 's' }).success).toBe(false);
  });
});
