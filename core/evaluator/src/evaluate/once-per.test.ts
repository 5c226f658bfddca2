import { describe, expect, it } from 'vitest';
import { compileExpression } from '../expr/index.ts';
import { formatOncePer } from './once-per.ts';

describe('oncePer as Go prints it', () => {
  it.each<[string, string]>([
    [`split('a,b', ',')`, '[a b]'],
    [`{'a': 1}`, 'map[a:1]'],
    [`[1, 2, 3]`, '[1 2 3]'],
    ['1 / 0', '+Inf'],
    ['1000000.5', '1.0000005e+06'],
    [`'x'`, 'x'],
    ['nil', '<nil>'],
  ])('%s is %s', (source, printed) => {
    expect(formatOncePer(compileExpression(source).evaluate({}))).toBe(printed);
  });
});
