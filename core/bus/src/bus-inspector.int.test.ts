import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import type { ResourceEventData } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';
import { Bus } from './bus.ts';
import { BusInspector } from './bus-inspector.ts';
import { BusErrorCodes } from './errors.ts';
import { defaultTopology } from './topology.ts';

const logger = createLogger('inspector-test', { level: 'silent' });
const tracer = startTelemetry({ serviceName: 'inspector-test', serviceVersion: '0.0.0' }).tracer('inspector-test');

const event = (name: string, resourceVersion: string): ResourceEventData => ({
  action: 'MODIFIED',
  ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` },
  resourceVersion,
  object: { metadata: { name } },
});

describe('BusInspector', () => {
  let nats: NatsServer;
  let inspector: BusInspector;
  const connect = () => BusInspector.connect({ servers: [nats.url], topology: defaultTopology, timeoutMs: 5_000 });

  beforeAll(async () => {
    nats = await startNats();
    inspector = await connect();
  });
  afterAll(async () => {
    await inspector?.close();
    await nats?.stop();
  });

  it('finds no stream and no process on a server Herald never used, and creates nothing', async () => {
    expect((await inspector.streams()).map((s) => [s.name, s.exists])).toEqual([
      ['HERALD_EVENTS', false],
      ['HERALD_NOTIFICATIONS', false],
      ['HERALD_RESULTS', false],
      ['HERALD_DEAD_LETTERS', false],
    ]);
    expect(await inspector.processes()).toEqual([]);
    expect(await inspector.consumers()).toEqual([]);
    expect((await inspector.streams()).some((s) => s.exists)).toBe(false);
  });

  it('reads announced processes until they withdraw, and the events of a window, leaving no consumer', async () => {
    const bus = await Bus.connect({ servers: [nats.url], name: 'inspector-test' }, logger);
    try {
      expect(await inspector.processes()).toEqual([]);
      await bus.processes.announce('host-1-abc', { roles: ['evaluator'] });
      const [announced] = await inspector.processes();
      expect(announced).toMatchObject({ id: 'host-1-abc', record: { roles: ['evaluator'] } });
      await bus.processes.withdraw('host-1-abc');
      expect(await inspector.processes()).toEqual([]);

      const publisher = bus.publisher('herald/test', tracer);
      for (let i = 0; i < 300; i++) await publisher.resourceEvent(event(`pod-${i}`, '1'));
      const names = async (window: { from: Date; to?: Date }) => {
        const seen: (string | undefined)[] = [];
        for await (const e of inspector.events(window)) seen.push(e.data?.ref.name);
        return seen;
      };
      // Past one batch of direct gets (256), in order.
      expect(await names({ from: new Date(0) })).toEqual(Array.from({ length: 300 }, (_, i) => `pod-${i}`));
      expect(await names({ from: new Date(Date.now() + 60_000) })).toEqual([]);
      expect(await names({ from: new Date(0), to: new Date(1) })).toEqual([]);
      expect(await inspector.consumers()).toEqual([]);
    } finally {
      await bus.drain();
    }
  });

  it('fails within its bound when no server answers', async () => {
    await expect(BusInspector.connect({ servers: ['nats://127.0.0.1:1'], timeoutMs: 1_000 })).rejects.toMatchObject({ code: BusErrorCodes.connect });
  });
});
