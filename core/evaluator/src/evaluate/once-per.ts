/** A oncePer value as Go's `%v` prints it, since Argo keys state by that text. */
export function formatOncePer(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'object' && typeof (value as { String?: unknown }).String === 'function') return String((value as { String(): string }).String());
  return JSON.stringify(value);
}
