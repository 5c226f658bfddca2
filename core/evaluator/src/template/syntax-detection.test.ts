import { describe, expect, it } from 'vitest';
import { TemplateError } from '../errors.ts';
import { render, TEMPLATE_NAME } from './__fixtures__/render-fixture.ts';
import { functionStatus } from './function-catalog.ts';
import { detectSyntax } from './syntax-detection.ts';
import { TemplateErrors } from './template-errors.ts';

const detect = (source: string): string => detectSyntax(source, new TemplateErrors(TEMPLATE_NAME, source), (name) => functionStatus(name) !== 'unknown');

describe('detectSyntax', () => {
  it.each([
    ['plain text, no actions', 'go'],
    ['Pod {{.pod.metadata.name}} is ready!', 'go'],
    ['{{$.app.metadata.name}}', 'go'],
    ['{{if eq .a "b"}}x{{else}}y{{end}}', 'go'],
    ['{{- "trim" -}}', 'go'],
    ['{{/* comment */}}', 'go'],
    ['{{ upper "x" }}', 'go'],
    ['{{ now | date "2006" }}', 'go'],
    ['{{ toYaml .x }}', 'go'],
    ['{{ printf "{{#if}} {{pod.name}}" .x }}', 'go'],
    ['{{.}}', 'go'],
    ['{{pod.metadata.name}}', 'handlebars'],
    ['{{#if ok}}yes{{else if other}}maybe{{else}}no{{/if}}', 'handlebars'],
    ['{{#each pod.spec.containers}}{{name}}:{{@index}}{{/each}}', 'handlebars'],
    ['{{upper pod.metadata.name}}', 'handlebars'],
    ['{{{raw}}} {{! comment }} {{!-- long }} comment --}}', 'handlebars'],
    ['{{this}} {{../parent}} {{@root.x}}', 'handlebars'],
    ['{{~name~}}', 'handlebars'],
    ['{{default value="x"}}', 'handlebars'],
    // A name alone is a Go function call as much as a handlebars path: with nothing else, Go.
    ['{{recipient}}', 'go'],
    ['{{nosuchfunc}}', 'go'],
    ['{{#each items}}{{name}}{{/each}}', 'handlebars'],
  ])('%j is %s', (source, expected) => {
    expect(detect(source)).toBe(expected);
  });

  it.each([
    ['{{.a}} {{#if b}}{{/if}}', '{{#if b}}'],
    ['{{pod.name}}\n{{ .pod.name }}', '{{ .pod.name }}'],
    ['{{range .l}}{{this}}{{end}}', '{{this}}'],
  ])('refuses %j, which mixes both', (source, culprit) => {
    expect(() => detect(source)).toThrow(TemplateError);
    expect(() => detect(source)).toThrow(culprit);
  });
});

describe('native handlebars templates', () => {
  const pod = { metadata: { name: 'web-1', labels: { app: 'web' } }, spec: { containers: [{ name: 'a' }, { name: 'b' }] }, status: { ready: true } };

  it.each([
    ['Pod {{pod.metadata.name}} is ready!\n', 'Pod web-1 is ready!\n'],
    ['{{#if pod.status.ready}}ready{{else}}not ready{{/if}}', 'ready'],
    ['{{#unless pod.status.ready}}down{{else}}up{{/unless}}', 'up'],
    ['{{#each pod.spec.containers}}{{@index}}={{name}} {{/each}}', '0=a 1=b '],
    ['{{#each pod.metadata.labels}}{{@key}}:{{this}}{{/each}}', 'app:web'],
    ['{{#with pod.metadata}}{{name}}{{/with}}', 'web-1'],
    ['{{upper pod.metadata.name}} {{default "none" pod.metadata.namespace}}', 'WEB-1 none'],
    ['{{toJson pod.metadata.labels}} <{{quote recipient}}>', '{"app":"web"} <"ops & co">'],
    ['{{#if (eq pod.metadata.name "web-1")}}match{{/if}}', 'match'],
    ['{{call time.Now}}', '2024-03-05 07:08:09 +0000 UTC'],
    ['{{printf "%s/%d" pod.metadata.name 3}}', 'web-1/3'],
    ['{{#if recipient}}{{recipient}}{{/if}} & <b>', 'ops & co & <b>'],
    ['line\n{{#if pod.status.ready}}\n  kept\n{{/if}}\nend', 'line\n  kept\nend'],
  ])('%j', (source, expected) => {
    expect(render(source, { pod, recipient: 'ops & co' })).toBe(expected);
  });

  it.each([['{{pod.metadata.nope}}'], ['{{pod.nothing.deeper}}'], ['{{upper pod.nothing.deeper}}']])('fails to print a missing field: %s', (source) => {
    expect(() => render(source, { pod })).toThrow(/is not defined|invalid value/);
  });

  it('treats a missing field as false in blocks', () => {
    expect(render('{{#if pod.nothing.deeper}}yes{{else}}no{{/if}}{{#each pod.none}}x{{/each}}', { pod })).toBe('no');
  });
});
