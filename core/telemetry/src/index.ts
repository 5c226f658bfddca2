export { createLogger, type LoggerOptions, type LogLevel } from './logger.ts';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './telemetry.ts';
export { checkOtelEnv, type OtelEnvCheck } from './otel-env.ts';
export { startTelemetryServer, type TelemetryServer, type TelemetryServerOptions, type ReadinessCheck } from './telemetry-server.ts';
