import type { BusOptions } from '@herald/core-bus';
import type { EngineConfig } from './config/engine-config.schema.ts';

/** Maps the `nats` section of herald.yaml onto the bus's options. */
export function toBusOptions(config: EngineConfig): BusOptions {
  const { nats } = config;
  const limits = (s: EngineConfig['nats']['streams']['events']) => ({ maxAgeMs: s.maxAge, maxBytes: s.maxBytes, maxMsgSize: s.maxMsgSize, replicas: s.replicas });
  return {
    servers: nats.servers,
    name: nats.name,
    ...(nats.auth ? { auth: nats.auth } : {}),
    ...(nats.tls ? { tls: nats.tls } : {}),
    topology: {
      subjectPrefix: nats.subjectPrefix,
      namePrefix: nats.streamPrefix,
      partitions: nats.partitions,
      duplicateWindowMs: nats.duplicateWindow,
      streams: {
        events: limits(nats.streams.events),
        notifications: limits(nats.streams.notifications),
        results: limits(nats.streams.results),
        deadLetters: limits(nats.streams.deadLetters),
      },
      state: nats.state,
      ...(nats.placement ? { placement: nats.placement } : {}),
    },
    publisher: { publishTimeoutMs: nats.publish.timeout, attemptTimeoutMs: nats.publish.attemptTimeout, maxInflight: nats.publish.maxInflight },
    subscriber: { ackWaitMs: nats.consume.ackWait, backoffBaseMs: nats.consume.backoffBase, backoffMaxMs: nats.consume.backoffMax },
  };
}
