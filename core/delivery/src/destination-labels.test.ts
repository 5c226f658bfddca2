import { describe, expect, it } from 'vitest';
import { DestinationLabels, OTHER_DESTINATIONS } from './destination-labels.ts';

describe('destination labels', () => {
  it('gives the first destinations a label of their own, for good, and folds the later ones into "other"', () => {
    const labels = new DestinationLabels(2);
    expect(labels.of('slack\u0000#alerts')).toBe('slack/#alerts');
    expect(labels.of('hook\u0000')).toBe('hook/');
    expect(labels.of('slack\u0000#ops')).toBe(OTHER_DESTINATIONS);
    expect(labels.of('slack\u0000#alerts')).toBe('slack/#alerts');
  });
});
