export { eventually } from './eventually.ts';
export { freePort, waitForPort } from './free-port.ts';
export { toolPath } from './tools.ts';
export { startNats, type NatsServer, type StartNatsOptions } from './nats/nats-server.ts';
export { testNatsLimits } from './nats/stream-limits.ts';
export * from './controlplane/index.ts';
export { startJaeger, type JaegerServer, type JaegerSpan } from './jaeger/jaeger-server.ts';
