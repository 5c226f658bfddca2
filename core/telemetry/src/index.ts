export { createLogger, type LoggerOptions, type LogLevel } from './logger.ts';
export { startTelemetry, globalTracer, type Telemetry, type TelemetryOptions } from './telemetry.ts';
