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


/**
 * JSON text without the whitespace between tokens, as Go's encoder writes a json.RawMessage: the text's own
 * number forms and key order stay. The text must be valid JSON.
 */
export function compactJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') out += c;
  }
  return out;
}

/** A value as Go's fmt %v prints what json.Unmarshal made of it (float64, bool, nil, slices, maps). */
export function goValueText(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'number') return goFloat(value);
  if (Array.isArray(value)) return `[${value.map(goValueText).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${k}:${goValueText((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

// Go's %v of a float64 (strconv 'g' with the shortest digits): e-notation from an exponent of 6 on or below
// -4, with at least two exponent digits, so 1000000 prints as 1e+06.
function goFloat(f: number): string {
  if (f === 0 || !Number.isFinite(f)) return String(f);
  const [mantissa, exp] = f.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(f);
}
