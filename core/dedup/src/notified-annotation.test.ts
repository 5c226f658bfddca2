import { describe, expect, it } from 'vitest';
import { formatNotifiedAnnotation, MAX_NOTIFIED_ENTRIES, notifiedAnnotationName, parseNotifiedAnnotation } from './notified-annotation.ts';

describe('notified annotation', () => {
  it('reads and writes Argo\'s format', () => {
    const value = '{"on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:":1645078598}';
    const { state, problem } = parseNotifiedAnnotation(value);
    expect(problem).toBeUndefined();
    expect([...state]).toEqual([['on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:', 1645078598]]);
    expect(formatNotifiedAnnotation(state)).toBe(value);
  });

  it.each([
    [undefined, 0, undefined],
    ['', 0, undefined],
    ['not json', 0, /not JSON/],
    ['[1,2]', 0, /not a JSON object/],
    ['{"a":1,"b":"x"}', 1, /1 entries/],
  ])('parses %j leniently', (value, size, problem) => {
    const parsed = parseNotifiedAnnotation(value);
    expect(parsed.state.size).toBe(size);
    if (problem) expect(parsed.problem).toMatch(problem);
    else expect(parsed.problem).toBeUndefined();
  });

  it('removes the annotation when the state is empty', () => {
    expect(formatNotifiedAnnotation(new Map())).toBeUndefined();
  });

  it(`keeps the ${MAX_NOTIFIED_ENTRIES} most recent entries`, () => {
    const state = new Map<string, number>();
    for (let i = 0; i < 130; i++) state.set(`k${i}`, 1000 + ((i * 37) % 130));
    const kept = JSON.parse(formatNotifiedAnnotation(state)!) as Record<string, number>;
    expect(Object.keys(kept)).toHaveLength(MAX_NOTIFIED_ENTRIES);
    const oldestKept = Math.min(...Object.values(kept));
    const dropped = [...state].filter(([k]) => !(k in kept));
    expect(dropped).toHaveLength(30);
    for (const [, at] of dropped) expect(at).toBeLessThan(oldestKept);
  });

  it('is named after the annotation prefix, as Argo names it', () => {
    expect(notifiedAnnotationName('notifications.argoproj.io')).toBe('notified.notifications.argoproj.io');
  });
});
