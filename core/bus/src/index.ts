export { Bus, type BusOptions } from './bus.ts';
export { BusError, BusErrorCodes } from './errors.ts';
export { Topology, defaultTopology, type TopologyOptions, type StreamLimits } from './topology.ts';
export { JetStreamPublisher, defaultPublisherOptions, type PublisherOptions } from './publisher.ts';
export { JetStreamSubscriber, defaultSubscriberOptions, type SubscriberOptions } from './subscriber.ts';
export { KvStateStore, encodeStateKey } from './kv-state.ts';
export { encodeEnvelope, decodeEnvelope, CONTENT_TYPE } from './envelope.ts';
export { injectTraceContext, extractTraceContext } from './trace-headers.ts';
