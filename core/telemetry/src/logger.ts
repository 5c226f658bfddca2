import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LoggerOptions {
  level?: LogLevel;
  /** Where JSON lines go; stdout by default. */
  destination?: DestinationStream;
  /** Extra paths to redact, pino syntax (`options.token`). */
  redact?: string[];
}

/** Herald's root logger: JSON lines, ISO time, secrets redacted. */
export function createLogger(name: string, options: LoggerOptions = {}): PinoLogger {
  return pino(
    {
      name,
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['*.password', '*.token', '*.credentials', ...(options.redact ?? [])], censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
