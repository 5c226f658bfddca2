import { formatGoValue } from '../expr/go-value-format.ts';

/** A oncePer value as Go's `%v` prints it (`[a b]`, `map[a:1]`, `+Inf`, `1e+06`), since Argo keys state by that text. */
export function formatOncePer(value: unknown): string {
  return formatGoValue(value);
}
