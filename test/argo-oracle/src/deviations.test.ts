import { describe, expect, it } from 'vitest';
import { deviationHeadings } from './deviations.ts';

describe('the deviations section of docs/reference/config.md', () => {
  it('is the ### headings under "## Deviations…", up to the next ## heading', () => {
    const md = ['# Config', '## Keys', '### Not this', '## Deviations from Argo', 'text', '### Numbers are JavaScript numbers', '### Errors say where', '## Dedup', '### Nor this'].join('\n');
    expect(deviationHeadings(md)).toEqual(new Set(['Numbers are JavaScript numbers', 'Errors say where']));
  });
});
