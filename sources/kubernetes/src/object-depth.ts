/**
 * How deeply the objects Herald publishes may nest: the object itself is level 1, `spec` level 2. Far
 * deeper than real objects (Helm values in an Argo CD Application nest a few dozen levels), and shallow
 * enough for every consumer down the line: JSON.stringify, the expression and template engines (measured
 * up to 2,000) and other languages' JSON libraries (Python's stops near 1,000). The API server accepts
 * custom objects nested about 9,000 deep.
 */
export const MAX_OBJECT_DEPTH = 512;

/** Levels of nested objects and arrays in `value` (a scalar is 0), counted without recursion. */
export function objectDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, depth] = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > deepest) deepest = depth;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return deepest;
}
