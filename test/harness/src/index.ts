export { eventually } from './eventually.ts';
export { freePort, waitForPort } from './free-port.ts';
export { toolPath } from './tools.ts';
export { startNats, type NatsServer, type StartNatsOptions } from './nats/nats-server.ts';
export { testNatsLimits } from './nats/stream-limits.ts';
export * from './controlplane/index.ts';
export { startFakeSlack, type FakeSlack, type SlackBehaviour, type SlackRequest, type SlackMessage as FakeSlackMessage } from './slack/fake-slack-server.ts';
export { startMailpit, type Mailpit, type MailpitMessage, type MailpitSummary, type ChaosTrigger, type StartMailpitOptions } from './mailpit/mailpit-server.ts';
export { startJaeger, type JaegerServer, type JaegerSpan } from './jaeger/jaeger-server.ts';
