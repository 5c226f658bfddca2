// Argo builds the request body with Go's encoding/json: map keys sorted, `<`, `>`, `&`, U+2028 and U+2029
// written as \u escapes. Herald writes the same bytes, so a receiver (or a test) sees Argo's body.

/** A JSON value with the keys of every object sorted, as Go marshals a map[string]any. */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** JSON.stringify's output with Go's HTML-safe escapes (these characters only occur inside strings there). */
export function goEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

