import type { Logger } from '@herald/plugin-sdk';

/** One call on a recording logger: level, the child bindings, the object and message as given. */
export interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  bindings: Record<string, unknown>;
  obj: object | string;
  msg: string | undefined;
}

export interface RecordingLogger extends Logger {
  /** Every line logged through this logger or any of its children, in order. */
  readonly lines: LogLine[];
  /** The lines as JSON text (errors with message, stack and cause), to search for what must not appear. */
  text(): string;
}

// Errors serialise to `{}` with JSON.stringify; a log line shows their message, stack and cause.
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { ...value, name: value.name, message: value.message, stack: value.stack, cause: value.cause };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** A Logger that keeps every line in memory (all levels), for plugin tests. */
export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const make = (bindings: Record<string, unknown>): RecordingLogger => {
    const at = (level: LogLine['level']) => (obj: object | string, msg?: string) => void lines.push({ level, bindings, obj, msg });
    return {
      lines,
      text: () => lines.map((l) => JSON.stringify(l, replacer)).join('\n'),
      trace: at('trace'),
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return make({});
}
