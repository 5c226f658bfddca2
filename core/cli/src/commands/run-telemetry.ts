// What `herald run` needs of core/telemetry, in a module of its own so that run-command loads it (and with
// it the OpenTelemetry SDK) only when Herald runs: the other commands start faster without it.
export { createLogger, startTelemetry, startTelemetryServer } from '@herald/core-telemetry';
