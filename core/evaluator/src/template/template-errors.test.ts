import { describe, expect, it } from 'vitest';
import { EvaluatorErrorCodes } from '../errors.ts';
import { render, TEMPLATE_NAME, thrown } from './__fixtures__/render-fixture.ts';
import { compileTemplate } from './compile-template.ts';

const { templateSyntax: SYNTAX, templateUnsupported: UNSUPPORTED, templateRuntime: RUNTIME } = EvaluatorErrorCodes;

/** Refused at compile time: [source, code, line, column, message fragment]. */
const compileErrors: ReadonlyArray<readonly [string, string, number, number, string]> = [
  ['a\n{{if 1}}{{define "x"}}{{end}}{{end}}', SYNTAX, 2, 11, 'unexpected <define> in command'],
  ['{{define "x"}}a{{end}}\n{{block "x" .}}b{{end}}', SYNTAX, 2, 1, 'template: multiple definition of template "x"'],
  ['{{range .l}}\n  {{break}}{{end}}', UNSUPPORTED, 2, 3, '{{break}} is not supported'],
  ['{{range .l}}{{continue}}{{end}}', UNSUPPORTED, 1, 13, '{{continue}} is not supported'],
  ['{{toYaml .x}}', UNSUPPORTED, 1, 3, 'function "toYaml" is not supported by Herald'],
  ['x {{ .a | slackChannel }}', UNSUPPORTED, 1, 11, 'function "slackChannel" is not supported by Herald'],
  ['{{ getHostByName "x" }}', UNSUPPORTED, 1, 4, 'function "getHostByName" is not supported by Herald'],
  ['{{1i}}', UNSUPPORTED, 1, 3, 'complex and hexadecimal floating-point constants are not supported'],
  ['{{> partial}}', UNSUPPORTED, 1, 1, 'partials'],
  ['{{#each items}}{{> row}}{{/each}}', UNSUPPORTED, 1, 16, 'partials'],
  ['{{#*inline "x"}}{{/inline}}', UNSUPPORTED, 1, 1, 'decorators'],
  ['{{lookup . "x"}}', UNSUPPORTED, 1, 3, 'function "lookup" is not supported by Herald (it is a Helm function'],
  ['{{#if x}}{{lookup}}{{/if}}', UNSUPPORTED, 1, 10, 'helper "lookup" is not supported'],
  ['{{regexReplaceAll "(" "x" "y"}}', SYNTAX, 1, 19, 'regexReplaceAll: error parsing regexp: missing closing ): `(`'],
  ['{{#if x}}{{regexMatch "(?=y)" x}}{{/if}}', SYNTAX, 1, 23, 'regexMatch: error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
  ['{{#foo a}}{{/foo}}', UNSUPPORTED, 1, 1, 'block {{#foo}} is not supported'],
  ['{{foo .x}}', SYNTAX, 1, 3, 'function "foo" not defined'],
  ['{{break}}', SYNTAX, 1, 1, '{{break}} outside {{range}}'],
  ['{{.a}} {{#if b}}{{/if}}', SYNTAX, 1, 8, 'mixes Go template syntax and handlebars syntax'],
  ['{{if}}x{{end}}', SYNTAX, 1, 5, 'missing value for if'],
  ['x\n\n  {{end}}', SYNTAX, 3, 3, 'unexpected {{end}}'],
  ['{{else}}', SYNTAX, 1, 1, 'unexpected {{else}}'],
  ['{{if .a}}', SYNTAX, 1, 10, 'unexpected EOF'],
  ['{{if .a}}{{else}}{{else}}{{end}}', SYNTAX, 1, 18, 'expected {{end}}; found {{else}}'],
  ['{{with .a}}{{else if .b}}{{end}}', SYNTAX, 1, 19, '{{else if}} inside {{with}}'],
  ['{{$x}}', SYNTAX, 1, 3, 'undefined variable "$x"'],
  ['{{$x = 1}}', SYNTAX, 1, 3, 'undefined variable "$x"'],
  ['{{with $x := 1}}{{end}}{{$x}}', SYNTAX, 1, 26, 'undefined variable "$x"'],
  ['{{$x, $y := .a}}', SYNTAX, 1, 5, 'too many declarations in command'],
  ['{{/* unclosed', SYNTAX, 1, 1, 'unclosed comment'],
  ['{{/* x */ .a}}', SYNTAX, 1, 1, 'comment ends before closing delimiter'],
  ['{{.a}', SYNTAX, 1, 5, 'bad character'],
  ['{{"\\q"}}', SYNTAX, 1, 3, 'invalid syntax in string'],
  ['{{3x}}', SYNTAX, 1, 3, 'bad number syntax: "3x"'],
  ['{{"unterminated}}', SYNTAX, 1, 3, 'unterminated quoted string'],
  ['{{.a', SYNTAX, 1, 1, 'unclosed action'],
  ['{{(.a}}', SYNTAX, 1, 6, 'unclosed left paren'],
  ['{{.a)}}', SYNTAX, 1, 5, 'unexpected right paren'],
  ['{{ | .a }}', SYNTAX, 1, 4, 'empty command'],
  ['{{"x" | "y"}}', SYNTAX, 1, 9, 'non executable command in pipeline stage 2'],
  ['{{(.a) "x"}}', SYNTAX, 1, 3, "can't give argument to non-function (.a)"],
  ['{{printf}}', SYNTAX, 1, 3, 'wrong number of args for printf: want at least 1 got 0'],
  ['{{trunc 1}}', SYNTAX, 1, 3, 'wrong number of args for trunc: want 2 got 1'],
  ['{{#if a}}', SYNTAX, 1, 1, 'Parse error on line 1'],
];

/** Fail while rendering: [source, data, line, column, message fragment]. */
const runtimeErrors: ReadonlyArray<readonly [string, Record<string, unknown>, number, number, string]> = [
  ['{{.n.x}}', { n: null }, 1, 3, 'nil pointer evaluating interface {}.x'],
  ['{{.s.x}}', { s: 'str' }, 1, 3, "can't evaluate field x in type string"],
  ['line1\n  {{.a.b 1}}', { a: { b: 1 } }, 2, 5, 'b is not a method but has arguments'],
  ['{{call .x}}', { x: 'str' }, 1, 3, 'error calling call: non-function of type string'],
  ['{{call .missing}}', {}, 1, 3, 'error calling call: call of nil'],
  ['{{.time.Now}}', {}, 1, 3, "can't print .time.Now of type func"],
  ['{{call .time.Parse "nope"}}', {}, 1, 3, 'cannot parse "nope" as RFC 3339'],
  ['{{eq .l .l}}', { l: [1] }, 1, 3, 'non-comparable type []interface {}'],
  ['{{eq 1 "1"}}', {}, 1, 3, 'incompatible types for comparison'],
  ['{{lt .missing 1}}', {}, 1, 3, 'invalid type for comparison'],
  ['{{upper 1}}', {}, 1, 3, 'wrong type for value; expected string; got int64'],
  ['{{upper .missing}}', {}, 1, 3, 'invalid value; expected string'],
  ['{{ternary 1 2 .b}}', { b: 1 }, 1, 3, 'expected bool; got int64'],
  ['{{div 1 0}}', {}, 1, 3, 'integer divide by zero'],
  ['x\n{{fail "boom"}}', {}, 2, 3, 'error calling fail: boom'],
  ['{{range .s}}x{{end}}', { s: 'ab' }, 1, 9, "range can't iterate over ab"],
  ['{{range $i, $x := 3}}x{{end}}', {}, 1, 9, "can't use 3 to iterate over more than one variable"],
  ['{{range 1000000000}}{{end}}', {}, 1, 9, 'range over 1000000000 is too long'],
  ['{{repeat -1 "x"}}', {}, 1, 3, 'negative Repeat count'],
  ['{{repeat 100000000 "x"}}', {}, 1, 3, 'result too large'],
  ['{{substr 3 1 "hello"}}', {}, 1, 3, 'slice bounds out of range'],
  ['{{first "x"}}', {}, 1, 3, 'Cannot find first on type string'],
  ['{{hasKey .l "a"}}', { l: [1] }, 1, 3, 'expected map[string]interface {}'],
  ['{{regexReplaceAll .p "x" "y"}}', { p: '(' }, 1, 3, 'error calling regexReplaceAll: error parsing regexp: missing closing )'],
  ['{{len .missing}}', {}, 1, 3, 'len of nil'],
  ['{{index .missing "a"}}', {}, 1, 3, 'index of untyped nil'],
  ['{{index .l 5}}', { l: [1] }, 1, 3, 'index out of range: 5'],
  ['{{nil}}', {}, 1, 3, 'nil is not a command'],
  ['{{date "2006" "not a date"}}', {}, 1, 3, 'cannot parse "not a date"'],
  ['{{(call .time.Now).Nope}}', {}, 1, 3, "can't evaluate field Nope in type time.Time"],
  ['{{pod.metadata.name}}', { pod: {} }, 1, 1, '"pod.metadata.name" is not defined'],
  ['{{upper pod.x}}', { pod: { x: 1 } }, 1, 1, 'error calling upper: wrong type for value; expected string; got int64'],
];

describe('template errors', () => {
  it.each(compileErrors)('compile %j → %s at %d:%d', (source, code, line, column, fragment) => {
    const error = thrown(() => compileTemplate(source, TEMPLATE_NAME));
    expect(error).toMatchObject({ code, line, column, template: TEMPLATE_NAME, retryable: false, name: 'TemplateError' });
    expect(error.message).toContain(fragment);
    expect(error.message.startsWith(`${TEMPLATE_NAME}: ${line}:${column}: `)).toBe(true);
  });

  it.each(runtimeErrors)('render %j with %j fails at %d:%d', (source, data, line, column, fragment) => {
    const template = compileTemplate(source, TEMPLATE_NAME);
    const error = thrown(() => render(source, data));
    expect(template.name).toBe(TEMPLATE_NAME);
    expect(error).toMatchObject({ code: RUNTIME, line, column, template: TEMPLATE_NAME });
    expect(error.message).toContain(fragment);
  });

  it('keeps the failure of a host function as the cause', () => {
    const error = thrown(() => render('{{call .time.Parse "nope"}}'));
    expect(error.cause).toBeInstanceOf(RangeError);
  });
});
