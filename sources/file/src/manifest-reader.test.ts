import { describe, expect, it } from 'vitest';
import { FileSourceErrorCodes } from './errors.ts';
import { readManifests } from './manifest-reader.ts';

const names = (text: string, format: 'yaml' | 'json' = 'yaml') => readManifests(text, format).objects.map((o) => `${o.object.kind}/${o.object.metadata.name}@${o.document}${o.item === undefined ? '' : `.${o.item}`}`);

describe('readManifests', () => {
  it.each([
    ['one object', 'apiVersion: v1\nkind: Pod\nmetadata: { name: a }\n', ['Pod/a@1']],
    ['a multi-document stream, empty and comment-only documents skipped', '---\napiVersion: v1\nkind: Pod\nmetadata: { name: a }\n---\n# nothing here\n---\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: b }\n', ['Pod/a@1', 'Pod/b@4']],
    ['a List', 'apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: Pod, metadata: { name: a } }\n  - { apiVersion: argoproj.io/v1alpha1, kind: Application, metadata: { name: b } }\n', ['Pod/a@1.0', 'Application/b@1.1']],
    ['a PodList whose items leave out apiVersion and kind, as the API server writes them', 'apiVersion: v1\nkind: PodList\nitems:\n  - metadata: { name: a }\n', ['Pod/a@1.0']],
    ['an empty List', 'apiVersion: v1\nkind: List\nitems: []\n', []],
    ['an empty file', '', []],
    ['a byte-order mark', '\uFEFFapiVersion: v1\nkind: Pod\nmetadata: { name: a }\n', ['Pod/a@1']],
  ])('reads %s', (_, text, expected) => {
    expect(readManifests(text, 'yaml').issues).toEqual([]);
    expect(names(text)).toEqual(expected);
  });

  it('reads a JSON file: one object, or a List', () => {
    expect(names('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}', 'json')).toEqual(['Pod/a@1']);
    expect(names('{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}]}', 'json')).toEqual(['Pod/a@1.0']);
  });

  it.each([
    ['no apiVersion', 'kind: Pod\nmetadata: { name: a }\n', 'apiVersion', /^required/],
    ['a bad apiVersion', 'apiVersion: "Argo/V1"\nkind: Pod\nmetadata: { name: a }\n', 'apiVersion', /^must be "<version>" or "<group>\/<version>".*not "Argo\/V1"/],
    ['no kind', 'apiVersion: v1\nmetadata: { name: a }\n', 'kind', /^required/],
    ['no metadata', 'apiVersion: v1\nkind: Pod\n', 'metadata.name', /^required \(metadata is missing\)/],
    ['no name', 'apiVersion: v1\nkind: Pod\nmetadata: { namespace: x }\n', 'metadata.name', /^required$/],
    ['a number for a name', 'apiVersion: v1\nkind: Pod\nmetadata: { name: 42 }\n', 'metadata.name', /^must be a string, not 42 \(quote it\)/],
    ['a bad namespace', 'apiVersion: v1\nkind: Pod\nmetadata: { name: a, namespace: Shop_1 }\n', 'metadata.namespace', /^must be a namespace name/],
    ['an annotation that is not a string', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  annotations:\n    notifications.argoproj.io/subscribe.on-x.hook: true\n', 'metadata.annotations.notifications.argoproj.io/subscribe.on-x.hook', /^must be a string, not true \(quote it\)/],
    ['a label that is a number', 'apiVersion: v1\nkind: Pod\nmetadata: { name: a, labels: { tier: 1 } }\n', 'metadata.labels.tier', /^must be a string/],
    ['a List item without a kind', 'apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, metadata: { name: a } }\n', 'items[0].kind', /^required/],
    ['a List whose items are no list', 'apiVersion: v1\nkind: List\nitems: { a: 1 }\n', 'items', /^must be a list of objects/],
  ])('names the field of an object with %s', (_, text, field, reason) => {
    const { objects, issues } = readManifests(text, 'yaml');
    expect(objects).toEqual([]);
    expect(issues).toEqual([{ code: FileSourceErrorCodes.invalidObject, document: 1, line: 1, field, reason: expect.stringMatching(reason) }]);
  });

  it('refuses a document that is not an object, and one nested deeper than Herald accepts', () => {
    expect(readManifests('- a\n- b\n', 'yaml').issues).toEqual([{ code: FileSourceErrorCodes.invalidObject, document: 1, line: 1, reason: 'must be an object with apiVersion, kind and metadata, not a list' }]);
    const deep = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":${'['.repeat(600)}${']'.repeat(600)}}`;
    expect(readManifests(deep, 'json').issues).toEqual([{ code: FileSourceErrorCodes.invalidObject, document: 1, reason: 'nested 601 levels deep, more than the 512 Herald accepts' }]);
  });

  it('reports a broken document with its number and line, and still reads the others', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: { name: a }\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: b\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: c }\n';
    const { objects, issues } = readManifests(text, 'yaml');
    expect(objects.map((o) => o.object.metadata.name)).toEqual(['a', 'c']);
    expect(issues).toEqual([{ code: FileSourceErrorCodes.syntax, document: 2, line: expect.any(Number), reason: expect.stringMatching(/^invalid YAML: /) }]);
  });

  it('refuses duplicate keys, as kubectl does, and alias bombs', () => {
    expect(readManifests('apiVersion: v1\nkind: Pod\nkind: Service\nmetadata: { name: a }\n', 'yaml').issues).toEqual([
      { code: FileSourceErrorCodes.syntax, document: 1, line: 3, reason: expect.stringMatching(/^invalid YAML: Map keys must be unique/) },
    ]);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(readManifests(`apiVersion: v1\nkind: Pod\nmetadata: { name: a }\nspec:\n  ${bomb.replaceAll('\n', '\n  ')}\n`, 'yaml').issues).toEqual([
      { code: FileSourceErrorCodes.syntax, document: 1, line: 1, reason: expect.stringMatching(/^invalid YAML: .*alias/i) },
    ]);
  });

  it('reports a JSON syntax error', () => {
    expect(readManifests('{"apiVersion": "v1",', 'json').issues).toEqual([{ code: FileSourceErrorCodes.syntax, document: 1, reason: expect.stringMatching(/^invalid JSON: /) }]);
  });
});
