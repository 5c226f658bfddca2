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

function guard(logger: Logger): Logger {
  const write =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') =>
    (obj: object | string, msg?: string): void => {
      if (typeof obj === 'string') logger[level](obj);
      else if (msg === undefined) logger[level](safeFields(obj));
      else logger[level](safeFields(obj), msg);
    };
  return {
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (bindings) => guard(logger.child(safeFields(bindings) as Record<string, unknown>)),
  };
}

function safeFields(obj: object): object {
  if (obj instanceof Error || Array.isArray(obj)) return obj;
  const entries = Object.entries(obj);
  if (!entries.some(([key]) => HERALD_FIELDS.has(key) || key === NESTED)) return obj;
  const safe: Record<string, unknown> = {};
  const nested: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    if (key === NESTED && typeof value === 'object' && value !== null && !Array.isArray(value)) Object.assign(nested, value);
    else if (HERALD_FIELDS.has(key) || key === NESTED) nested[key] = value;
    else safe[key] = value;
  }
  safe[NESTED] = nested;
  return safe;
}
