/**
 * Trigger expressions: Argo's `when`/`oncePer` in expr-lang syntax, parsed here, type-checked as expr-lang's
 * checker does at load (type-check.ts), translated to jexl, and evaluated by jexl with a grammar that has
 * expr-lang's semantics.
 *
 * Language (as expr-lang):
 * - Literals: `'…'` and `"…"` with Go escapes (`\n \t \\ \' \" \xFF \u1234 \U0001F600 \101`), raw `` `…` ``,
 *   integers `42 0x2A 0o52 0b101010 1_000`, floats `0.5 .5 1e3`, `true false nil`, arrays `[1, 2]`, maps
 *   `{a: 1, "b": 2, 3: x, (expr): y}`; comments `//` and `/* *\/`.
 * - Operators, by precedence: `?:` (and `a ?: b`), `|` pipe, `or ||`, `and &&`, `== != < <= > >= in matches
 *   contains startsWith endsWith` (each but the first six also as `not in`, `not matches`…; chained
 *   comparisons `a < b < c` mean `a < b and b < c`), `..` integer range, `+ -`, `* / %`, `** ^` (right),
 *   `??`; unary `not ! - +`. Member access `a.b`, `a?.b`, `a[k]`, `a?.[k]`, `a[-1]`, slices `a[1:3]`.
 * - Predicates: `all any none one filter map count find findIndex findLast findLastIndex sum sortBy groupBy
 *   reduce` take `{…}` or a bare expression, with `#` the element, `.f` its field; `#index` its index in
 *   `map` and `reduce`, `#acc` reduce's accumulator; `reduce` and `sortBy` take a third argument.
 * - `let x = v; body`, sequences `a; b`, `if c { a } else { b }`.
 * - Builtins: `len upper lower trim trimPrefix trimSuffix split join replace repeat indexOf lastIndexOf
 *   hasPrefix hasSuffix keys values abs ceil floor round min max first last get type string int float
 *   toJSON fromJSON duration date now`.
 * - Methods: only those of times (`Sub Add Before After Equal IsZero Unix UnixMilli UTC Format String Year
 *   Month Day Hour Minute Second Weekday`), durations (`Hours Minutes Seconds Milliseconds Microseconds
 *   Nanoseconds String Round Truncate Abs`) and the functions of `time` and `strings` (see host/).
 *   Any other method name is a compile error; calling on another value is a runtime error.
 *
 * Where Herald differs from expr-lang:
 * - Unknown names are nil (as Argo's expr-lang, compiled without an environment). Member access is
 *   expr-lang's: a missing map key is nil; on nil, out of range, or a name on a list or scalar it is an
 *   error, except that `?.` on nil ends its whole chain as nil.
 * - Only own data properties of plain maps are visible; `__proto__`, `constructor`, `prototype` and the
 *   `__define/lookup{G,S}etter__` names are always nil; functions found in data are nil and never called.
 * - Numbers are JS doubles (ints exact to 2^53). Strings index and slice by UTF-8 bytes, as expr-lang
 *   (a slice inside a character decodes as U+FFFD); `len` counts code points, as expr-lang. Regexes are
 *   Go's RE2 (re2js): Go's syntax and refusals, linear time.
 * - Every evaluation is bounded: 1,000,000 steps (evaluation-budget.ts), then a runtime error.
 * - `time.Now()`/`now()` are UTC at millisecond precision; `date()` takes one argument (RFC 3339,
 *   `2006-01-02`, `2006-01-02 15:04:05`).
 * - Not supported: `toPairs fromPairs`, `::`-calls — compile errors.
 */
export { compileExpression, evaluateCondition } from './compile-expression.ts';
export type { CompiledExpression } from './compile-expression.ts';
