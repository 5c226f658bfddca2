export { createLogger, type LoggerOptions, type LogLevel } from './logger.ts';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './telemetry.ts';
