import type { Logger } from '@herald/plugin-sdk';

/**
 * Fields every log line already has: pino's own (`name` is the process's logger name), the bindings Herald
 * adds (`plugin`, `component`) and the trace ids. A plugin writing one of them would put the key in the line
 * twice, and which one a log pipeline keeps is anyone's guess.
 */
const HERALD_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'plugin', 'component', 'trace_id', 'span_id']);
/** Where a plugin's fields that would collide go instead: `{"plugin":"file","fields":{"name":"orders"}}`. */
const NESTED = 'fields';

/**
 * The logger a plugin gets: bound to its id (`plugin`), with the plugin's own fields and child bindings kept
 * apart from Herald's (docs/operations/observability.md, "Plugin log fields").
 */
export function pluginLogger(root: Logger, pluginId: string): Logger {
  return guard(root.child({ plugin: pluginId }));
}

/** `nested`: colliding fields of the child bindings above, added to each line's `fields` (pino would write a second `fields`). */
function guard(logger: Logger, nested: Record<string, unknown> = {}): Logger {
  const write =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') =>
    (obj: object | string, msg?: string): void => {
      const fields = typeof obj === 'string' ? {} : obj;
      const text = typeof obj === 'string' ? obj : msg;
      const safe = fields instanceof Error ? fields : split(fields, nested);
      if (text === undefined) logger[level](safe);
      else logger[level](safe, text);
    };
  return {
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (bindings) => {
      const { [NESTED]: childNested, ...rest } = split(bindings, nested);
      return guard(logger.child(rest), (childNested as Record<string, unknown> | undefined) ?? {});
    },
  };
}

/** The fields with Herald's keys moved under `fields`, merged with what the bindings above moved there. */
function split(obj: object, inherited: Record<string, unknown>): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  const nested: Record<string, unknown> = { ...inherited };
  for (const [key, value] of Object.entries(obj)) {
    if (key === NESTED && typeof value === 'object' && value !== null && !Array.isArray(value)) Object.assign(nested, value);
    else if (HERALD_FIELDS.has(key) || key === NESTED) nested[key] = value;
    else safe[key] = value;
  }
  if (Object.keys(nested).length) safe[NESTED] = nested;
  return safe;
}
