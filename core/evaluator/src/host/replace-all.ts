/** The longest text a replacement may build: a pattern and a text from data must not be able to exhaust memory. */
export const MAX_REPLACED_LENGTH = 1_000_000;

/**
 * Go's `strings.ReplaceAll`: an empty `old` matches before every code point and at the end. Throws a
 * RangeError, before building anything, when the result would be longer than MAX_REPLACED_LENGTH
 * (`strings.ReplaceAll(x, '', repeat('y', 999999))` would otherwise take gigabytes).
 */
export function replaceAll(text: string, old: string, replacement: string): string {
  const pieces = old === '' ? Array.from(text) : text.split(old);
  const matches = old === '' ? pieces.length + 1 : pieces.length - 1;
  const length = text.length + matches * (replacement.length - old.length);
  if (length > MAX_REPLACED_LENGTH) throw new RangeError(`result too large (${length} > ${MAX_REPLACED_LENGTH})`);
  return old === '' ? replacement + pieces.map((ch) => ch + replacement).join('') : pieces.join(replacement);
}
