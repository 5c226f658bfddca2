import { describe, expect, it } from 'vitest';
import { EvaluatorErrorCodes } from '../errors.ts';
import { render, TEMPLATE_NAME, thrown } from './__fixtures__/render-fixture.ts';
import { compileTemplate } from './compile-template.ts';
import { goTemplateName } from './go-template-name.ts';
import { MAX_TEMPLATE_DEPTH } from './render-budget.ts';

/**
 * `{{define}}`, `{{template}}` and `{{block}}` within one template source. Every expected output and error
 * below is what Argo's engine (Go text/template, through test/argo-oracle) gave for the same source, with
 * the source named `test` as the engine names `template.test`'s message.
 */
const app = { app: { metadata: { name: 'guestbook' } } };

const cases: ReadonlyArray<readonly [source: string, expected: string]> = [
  ['{{define "x"}}X{{end}}{{template "x"}}', 'X'],
  ['{{block "b" .}}B{{.app.metadata.name}}{{end}}', 'Bguestbook'],
  ['{{define `r`}}raw{{end}}{{template `r`}}', 'raw'],
  // A definition may come after its use: names are looked up when the template runs.
  ['{{template "x" .app.metadata}}!{{define "x"}}<{{.name}}>{{end}}', '<guestbook>!'],
  // The called template's dot and `$` are the pipeline's value; without one, no value.
  ['{{define "x"}}[{{.}}]{{end}}{{template "x" 3}}', '[3]'],
  ['{{define "x"}}[{{.}}|{{.a}}|{{$}}]{{end}}{{template "x"}}', '[<no value>|<no value>|<no value>]'],
  ['{{define "x"}}{{$}}{{end}}{{$y := 1}}{{template "x" $y}}', '1'],
  ['{{define "x"}}{{.nope.nope}}{{end}}{{template "x" .}}', '<no value>'],
  // Variables the pipeline declares stay in the caller's scope.
  ['{{template "x" $v := 5}}{{$v}}{{define "x"}}{{.}}{{end}}', '55'],
  ['{{template "x" .app | len}}{{define "x"}}{{.}}{{end}}', '1'],
  // A block inside a control structure defines its template for the whole source.
  ['{{if true}}{{block "x" .}}a{{end}}{{end}}{{template "x" 1}}', 'aa'],
  // An empty definition gives way to a full one, whichever comes first; a full one is never replaced.
  ['{{define "x"}}{{end}}{{define "x"}}B{{end}}{{template "x"}}', 'B'],
  ['{{define "x"}}B{{end}}{{define "x"}} {{end}}{{template "x"}}', 'B'],
  ['{{define "x"}}{{end}}{{template "x"}}', ''],
  // The source is itself the template `test`: a definition of that name is what renders when the rest is empty.
  ['{{define "test"}}T{{end}}', 'T'],
  ['{{define "x"}}{{if lt . 5}}{{.}},{{template "x" (add1 .)}}{{end}}{{end}}{{template "x" 0}}', '0,1,2,3,4,'],
  ['{{- define "x" -}}\n  X\n{{- end -}}\n{{template "x"}}', 'X'],
];

/** Refused at load, as the engine refuses them: [source, message fragment]. */
const compileErrors: ReadonlyArray<readonly [string, string]> = [
  ['{{define "x"}}A{{end}}{{define "x"}}B{{end}}', 'template: multiple definition of template "x"'],
  ['{{define "test"}}T{{end}}hello', 'template: multiple definition of template "test"'],
  ['{{if true}}{{define "x"}}a{{end}}{{end}}', 'unexpected <define> in command'],
  ['{{define "x"}}{{define "y"}}{{end}}{{end}}', 'unexpected <define> in command'],
  ['{{define x}}{{end}}', 'unexpected "x" in define clause'],
  ['{{template x}}', 'unexpected "x" in template clause'],
  ['{{block "b"}}{{end}}', 'missing value for block clause'],
  ['{{define "x"}}a{{else}}b{{end}}', 'unexpected {{else}} in define clause'],
  ['{{define "x"}}a', 'unexpected EOF'],
  // A defined template sees none of the variables of the text around it.
  ['{{$y := 1}}{{define "x"}}{{$y}}{{end}}', 'undefined variable "$y"'],
];

/** Fail while rendering: [source, line, column, message fragment]. */
const runtimeErrors: ReadonlyArray<readonly [string, number, number, string]> = [
  ['{{template "nope"}}', 1, 1, 'executing at <{{template "nope"}}>: template "nope" not defined'],
  ['{{define "x"}}{{fail "boom"}}{{end}}{{template "x" .}}', 1, 17, 'executing "x" at <fail "boom">: error calling fail: boom'],
  ['{{define "x"}}{{template "x" .}}{{end}}{{template "x" .}}', 1, 15, `executing "x" at <{{template "x" .}}>: exceeded maximum template depth (${MAX_TEMPLATE_DEPTH})`],
  ['{{template "test"}}', 1, 1, `exceeded maximum template depth (${MAX_TEMPLATE_DEPTH})`],
  ['{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}{{template "a" .}}{{end}}{{template "a" .}}', 1, 54, 'executing "b" at <{{template "a" .}}>: exceeded maximum template depth'],
  // Each level calls the next twice: 20 deep, 2^20 calls, so the render budget stops it.
  ['{{define "x"}}{{if lt . 20}}{{template "x" (add1 .)}}{{template "x" (add1 .)}}{{end}}{{end}}{{template "x" 0}}', 1, 1, 'render stopped after'],
];

describe('Go templates: define, template, block', () => {
  it.each(cases)('%j', (source, expected) => {
    expect(render(source, app)).toBe(expected);
  });

  it.each(compileErrors)('refuses %j at load', (source, fragment) => {
    const error = thrown(() => compileTemplate(source, TEMPLATE_NAME));
    expect(error.code).toBe(EvaluatorErrorCodes.templateSyntax);
    expect(error.message).toContain(fragment);
  });

  it.each(runtimeErrors)('render of %j fails at %d:%d', (source, line, column, fragment) => {
    compileTemplate(source, TEMPLATE_NAME);
    const error = thrown(() => render(source, app));
    expect(error).toMatchObject({ code: EvaluatorErrorCodes.templateRuntime, line, column, template: TEMPLATE_NAME });
    expect(error.message).toContain(fragment);
  });

  it('renders again after a render that stopped at the depth bound', () => {
    const template = compileTemplate('{{define "x"}}{{if lt . 3}}{{template "x" (add1 .)}}{{else}}{{.}}{{end}}{{end}}{{template "x" .n}}', TEMPLATE_NAME);
    expect(() => template.render({ n: -1000 })).toThrow(/exceeded maximum template depth/);
    expect(template.render({ n: 0 })).toBe('3');
  });

  it('a definition in one field is not visible in another', () => {
    expect(render('{{define "x"}}X{{end}}')).toBe('');
    expect(() => render('{{template "x"}}')).toThrow(/template "x" not defined/);
  });
});

describe('goTemplateName: the name the engine parses a field under', () => {
  it.each([
    ['template.app-sync: message', 'app-sync'],
    ['template.app-sync: slack.attachments', 'app-sync'],
    ['template.app-sync: webhook.github.body', 'app-syncgithub'],
    ['template.app-sync: webhook.github.path', 'app-syncgithub'],
    ['template.t: opsgenie.details.env', 't_detail_env'],
    ['template.t: opsgenie.visibleTo[1].username', 't_responder_1_username'],
    ['template.t: opsgenie.actions[0]', 't_action_0'],
    ['template.t: opsgenie.tags[2]', 't_tag_2'],
    ['template.t: opsgenie.description', 't'],
  ])('%s → %s', (heraldName, goName) => {
    expect(goTemplateName(heraldName)).toBe(goName);
  });

  it('is undefined for a name that is not a template field', () => {
    expect(goTemplateName('inline')).toBeUndefined();
  });
});
