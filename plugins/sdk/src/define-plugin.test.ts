import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineSink, defineSource, isHeraldPlugin } from './define-plugin.ts';
import { coreServices } from './service-ref.ts';
import { CONTRACT_VERSION } from './version.ts';
import { z } from 'zod';
import type { BusPublisher } from './bus.ts';
import type { Logger } from './services.ts';

describe('defineSource / defineSink', () => {
  it('brands the plugin with the contract version and freezes it', () => {
    const sink = defineSink({
      id: 'echo',
      sdkVersion: '^0.1.0',
      serviceTypes: ['echo'],
      configSchema: z.strictObject({ url: z.string() }),
      deps: { logger: coreServices.logger },
      init: async () => ({ send: async () => undefined, stop: async () => undefined }),
    });
    expect(isHeraldPlugin(sink)).toBe(true);
    expect(sink.kind).toBe('sink');
    expect(sink.contractVersion).toBe(CONTRACT_VERSION);
    expect(Object.isFrozen(sink)).toBe(true);
    expect(isHeraldPlugin({ id: 'echo', kind: 'sink' })).toBe(false);
  });

  it('keeps what a sink declares for core/delivery and the notification config: limits, template schema, retry policy', () => {
    const serviceConfigSchema = z.strictObject({ url: z.string(), retries: z.number().default(2) });
    const sink = defineSink({
      id: 'pager',
      sdkVersion: '^0.1.0',
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

  it('types init with exactly the declared services and the parsed config', () => {
    defineSource({
      id: 'typed',
      sdkVersion: '^0.1.0',
      configSchema: z.strictObject({ every: z.number().default(5) }),
      deps: { publisher: coreServices.publisher, logger: coreServices.logger },
      init: async (ctx) => {
        expectTypeOf(ctx.config.every).toEqualTypeOf<number>();
        expectTypeOf(ctx.publisher).toEqualTypeOf<BusPublisher>();
        expectTypeOf(ctx.logger).toEqualTypeOf<Logger>();
        // @ts-expect-error: not declared in deps
        void ctx.state;
        return { start: async () => undefined, stop: async () => undefined };
      },
    });
  });
});
