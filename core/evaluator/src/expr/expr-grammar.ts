/** expr-lang's binary operators: precedence, and right associativity for powers. */
export const BINARY: ReadonlyMap<string, { readonly precedence: number; readonly right?: boolean }> = new Map([
  ['|', { precedence: 0 }],
  ['or', { precedence: 10 }], ['||', { precedence: 10 }],
  ['and', { precedence: 15 }], ['&&', { precedence: 15 }],
  ['==', { precedence: 20 }], ['!=', { precedence: 20 }], ['<', { precedence: 20 }], ['>', { precedence: 20 }],
  ['<=', { precedence: 20 }], ['>=', { precedence: 20 }], ['in', { precedence: 20 }], ['matches', { precedence: 20 }],
  ['contains', { precedence: 20 }], ['startsWith', { precedence: 20 }], ['endsWith', { precedence: 20 }],
  ['..', { precedence: 25 }],
  ['+', { precedence: 30 }], ['-', { precedence: 30 }],
  ['*', { precedence: 60 }], ['/', { precedence: 60 }], ['%', { precedence: 60 }],
  ['**', { precedence: 100, right: true }], ['^', { precedence: 100, right: true }],
  ['??', { precedence: 500 }],
]);
export const COMPARISON = 20;
export const UNARY: ReadonlyMap<string, number> = new Map([['not', 50], ['!', 50], ['-', 90], ['+', 90]]);
/** Operators that take a `not` prefix: `not in`, `not matches`… */
export const NEGATABLE: ReadonlySet<string> = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);
/** Tokens of expr-lang constructs Herald does not support (`::` calls, `...`), reported by name. */
export const UNSUPPORTED: ReadonlySet<string> = new Set(['::', '...']);
