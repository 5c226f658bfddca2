import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LoggerOptions {
  level?: LogLevel;
  /** Where JSON lines go; stdout by default. */
  destination?: DestinationStream;
  /** Extra paths to redact, pino syntax (`options.token`). */
  redact?: string[];
}

/** The trace a line was written in (a delivery, an evaluation): `trace_id` and `span_id`, as OTel's log data model names them. */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const ctx = span.spanContext();
  return isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
}

/** Herald's root logger: JSON lines, ISO time, secrets redacted, trace ids on lines written inside a span. */
export function createLogger(name: string, options: LoggerOptions = {}): PinoLogger {
  return pino(
    {
      name,
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
      redact: { paths: ['*.password', '*.token', '*.credentials', ...(options.redact ?? [])], censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
