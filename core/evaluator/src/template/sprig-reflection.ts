import type { FunctionTable } from './function-types.ts';
import { GoDuration, GoTime } from '../host/index.ts';
import { goTypeName, isGoMap } from './template-values.ts';

/** sprig's typeOf/kindOf (Go's `%T` and reflect.Kind) over template values, as Argo's data decodes them. */

function kindOf(value: unknown): string {
  if (value === undefined || value === null) return 'invalid';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return goTypeName(value);
    case 'function':
      return 'func';
    default:
      if (Array.isArray(value)) return 'slice';
      if (value instanceof GoDuration) return 'int64';
      if (value instanceof GoTime) return 'struct';
      return isGoMap(value) ? 'map' : 'ptr';
  }
}

export const sprigReflectionFunctions: FunctionTable = {
  typeOf: { params: ['any'], fn: ([value]) => goTypeName(value) },
  typeIs: { params: ['string', 'any'], fn: ([target, value]) => target === goTypeName(value) },
  typeIsLike: { params: ['string', 'any'], fn: ([target, value]) => target === goTypeName(value) || `*${target as string}` === goTypeName(value) },
  kindOf: { params: ['any'], fn: ([value]) => kindOf(value) },
  kindIs: { params: ['string', 'any'], fn: ([target, value]) => target === kindOf(value) },
};
