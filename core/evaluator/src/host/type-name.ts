import { GoDuration } from './go-duration.ts';
import { GoTime } from './go-time.ts';

/** The expr-lang (Go) name of a value's type, for error messages and `type()`. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
    case 'object':
      if (Array.isArray(value)) return 'array';
      if (value instanceof GoTime) return 'time.Time';
      if (value instanceof GoDuration) return 'time.Duration';
      return 'map';
    default:
      return typeof value;
  }
}
