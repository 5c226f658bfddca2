import { describe, expect, it } from 'vitest';
import { compactJson, goEscape, goValueText, sortedKeys } from './go-json.ts';

describe("Go's JSON, as Argo's request bodies have it", () => {
  it('sorts map keys at every depth and escapes <, >, & and U+2028 as Go does', () => {
    expect(goEscape(JSON.stringify(sortedKeys({ b: [{ z: 1, a: '<a href="x">&</a>' }], a: '\u2028' })))).toBe('{"a":"\\u2028","b":[{"a":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e","z":1}]}');
  });

  it('compacts JSON text keeping its own key order, number forms and the spaces inside strings', () => {
    expect(compactJson('{ "b" : 1.0,\n\t"a": [ "x  y", "q\\" z" ] }\n')).toBe('{"b":1.0,"a":["x  y","q\\" z"]}');
  });

  it.each([
    [3, '3'],
    [1.5, '1.5'],
    [123456, '123456'],
    [1000000, '1e+06'],
    [0.00001, '1e-05'],
    [true, 'true'],
    [null, '<nil>'],
    [['a', 1], '[a 1]'],
    [{ b: 1, a: 'x' }, 'map[a:x b:1]'],
  ])("prints %j as Go's %%v prints it: %s", (value, text) => {
    expect(goValueText(value)).toBe(text);
  });
});
