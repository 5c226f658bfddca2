/** The `notified` annotation's name, `notified.<prefix>` (Argo: `notified.notifications.argoproj.io`). */
export function notifiedAnnotationName(annotationPrefix: string): string {
  return `notified.${annotationPrefix}`;
}

/** At most this many keys are kept in the `notified` annotation, as Argo does; the oldest go first. */
export const MAX_NOTIFIED_ENTRIES = 100;

/** The `notified` annotation's content: state key → unix seconds of the notification. */
export type NotifiedState = ReadonlyMap<string, number>;

export interface ParsedNotifiedState {
  state: Map<string, number>;
  /** Set when the annotation was present but not a JSON object of numbers; the parsable part is kept. */
  problem?: string;
}

/** Reads an Argo `notified` annotation value. Missing or empty means no state. */
export function parseNotifiedAnnotation(value: string | undefined): ParsedNotifiedState {
  const state = new Map<string, number>();
  if (value === undefined || value.trim() === '') return { state };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    return { state, problem: `not JSON: ${(err as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { state, problem: 'not a JSON object' };
  let skipped = 0;
  for (const [key, at] of Object.entries(parsed)) {
    if (typeof at === 'number' && Number.isFinite(at)) state.set(key, at);
    else skipped++;
  }
  return skipped ? { state, problem: `${skipped} entries without a numeric time were dropped` } : { state };
}

/**
 * Writes the annotation value Argo writes: a JSON object of at most MAX_NOTIFIED_ENTRIES keys (the most
 * recent kept); `undefined` when the state is empty, meaning the annotation is removed.
 */
export function formatNotifiedAnnotation(state: NotifiedState): string | undefined {
  const entries = trimNotified(state);
  if (entries.length === 0) return undefined;
  return JSON.stringify(Object.fromEntries(entries));
}

/** The entries kept under the size cap: newest by time; insertion order among equal times. */
export function trimNotified(state: NotifiedState): [string, number][] {
  const entries = [...state.entries()];
  if (entries.length <= MAX_NOTIFIED_ENTRIES) return entries;
  const order = entries.map((e, i) => ({ e, i })).sort((a, b) => b.e[1] - a.e[1] || b.i - a.i);
  const keep = new Set(order.slice(0, MAX_NOTIFIED_ENTRIES).map((x) => x.i));
  return entries.filter((_, i) => keep.has(i));
}
