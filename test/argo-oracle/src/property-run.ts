// Property-based differential run: fast-check generates expressions and templates within the grammar Herald
// supports, the real notifications-engine (the oracle) and Herald evaluate each on the same objects, and the
// agreement rate is printed with examples of disagreements. A bench entry (scripts/dev bench), not a test:
// the generators reach corners no corpus case lists (a uint8 negated, a predicate over a string's bytes),
// so a run need not agree on all of them. Seed 18 went from 74.6 % to 99.8 % with issue 18's expr work.
//   node --conditions=herald-source test/argo-oracle/src/property-run.ts [runs per kind, default 1000] [seed]
// CAUSES=1 prints every disagreement grouped by cause (the first disagreement's message, its types and
// positions blanked out), most frequent first, to pick what to fix next.
import fc from 'fast-check';
import { argoOraclePath } from './argo-oracle.ts';
import { loadCorpus } from './corpus.ts';
import { runDifferential, type CaseResult } from './differential.ts';
import type { OracleCase } from './outcome.ts';

const runs = Number(process.argv[2] ?? 1000);
const seed = Number(process.argv[3] ?? 18);

// Objects: three states of an Application from the corpus (a synced one, a failed one, one without status).
const objects = loadCorpus().find((c) => c.id.startsWith('catalog/'))!.objects.filter((o) => ['synced-healthy', 'sync-failed', 'just-created'].includes(o.name));

const paths = [
  'app.metadata.name',
  'app.metadata.namespace',
  'app.metadata.labels.team',
  'app.spec.project',
  'app.spec.source.repoURL',
  'app.status.sync.status',
  'app.status.health.status',
  'app.status.operationState.phase',
  'app.status.operationState.retryCount',
  'app.status.operationState.syncResult.revision',
  'app.status.history',
  'app.status.summary.images',
];
const word = fc.constantFrom('Synced', 'Healthy', 'Succeeded', 'Failed', 'guestbook', 'a', '', 'prod');
const num = fc.oneof(fc.integer({ min: -5, max: 20 }), fc.constantFrom(0.5, 1.5, 2.25, 10.0));

const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...paths),
    word.map((w) => `'${w}'`),
    num.map(String),
    fc.constantFrom('true', 'false', 'nil'),
    fc.tuple(tie('e'), fc.constantFrom('==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', 'and', 'or', 'in', 'contains', 'startsWith', 'endsWith', '??'), tie('e')).map(
      ([a, op, b]) => `(${a} ${op} ${b})`,
    ),
    fc.tuple(fc.constantFrom('not ', '-'), tie('e')).map(([op, a]) => `${op}(${a})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
    fc.tuple(fc.constantFrom('len', 'upper', 'lower', 'trim', 'string', 'abs', 'first', 'last', 'int', 'float', 'type'), tie('e')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `[${a}, ${b}]`),
    fc.constantFrom(...paths).map((p) => p.replaceAll('.', '?.').replace('app?.', 'app.')),
    // expr-lang v1.17's constructs beyond operators: indexes and slices, predicates, reduce, let, if.
    fc.tuple(tie('e'), fc.constantFrom('0', '-1', '1', "'name'")).map(([a, i]) => `(${a})[${i}]`),
    fc.tuple(tie('e'), fc.constantFrom('[1:]', '[:2]', '[0:1]')).map(([a, s]) => `(${a})${s}`),
    fc.tuple(fc.constantFrom('all', 'any', 'none', 'one', 'filter', 'map', 'count', 'find', 'findIndex'), tie('e'), tie('e')).map(
      ([f, a, p]) => `${f}(${a}, ${p.replaceAll('app.', '#.')})`,
    ),
    fc.tuple(fc.constantFrom('app.status.history', '[1, 2, 3]', "['a', 'b']", 'app.status.summary.images'), fc.constantFrom('#acc + #', '#acc + 1', '#acc + #index', "#acc + '-'", '#'), fc.option(fc.constantFrom('0', "''", 'nil'), { nil: undefined })).map(
      ([a, body, init]) => `reduce(${a}, ${body}${init === undefined ? '' : `, ${init}`})`,
    ),
    fc.tuple(tie('e'), tie('e')).map(([v, body]) => `(let x = ${v}; ${body.replace(/app\.metadata\.name\b/, 'x')})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, a, b]) => `(if ${c} { ${a} } else { ${b} })`),
    fc.tuple(fc.constantFrom('keys', 'values', 'toJSON', 'reverse', 'uniq', 'flatten', 'ceil', 'round', 'max', 'mean'), tie('e')).map(([f, a]) => `${f}(${a})`),
  ),
})).e;

const field = fc.constantFrom(...paths.map((p) => `.${p}`), '.app.metadata.missing', '.context.argocdUrl', '.recipient');
const pipe = fc.constantFrom(
  'upper', 'lower', 'trim', 'quote', 'squote', 'title', 'b64enc', 'toJson', 'len', 'default "dflt"', 'trunc 4', 'replace "a" "b"', 'printf "%v"', 'empty',
  'kebabcase', 'snakecase', 'camelcase', 'swapcase', 'initials', 'nospace', 'sha256sum', 'b32enc', 'abbrev 6', 'trimPrefix "g"', 'repeat 2', 'splitList "-"', 'indent 2',
);
// A few template names, so that generated definitions sometimes clash (both sides must refuse) or are missing.
const tname = fc.constantFrom('d0', 'd1', 'd2', 't');
const action: fc.Arbitrary<string> = fc.oneof(
  field.map((f) => `{{${f}}}`),
  fc.tuple(field, fc.array(pipe, { maxLength: 2 })).map(([f, ps]) => `{{ ${[f, ...ps].join(' | ')} }}`),
  fc.tuple(field, field, field).map(([c, a, b]) => `{{ if ${c} }}${a}={{${a}}}{{ else }}{{${b}}}{{ end }}`),
  fc.tuple(fc.constantFrom('eq', 'ne'), field, word).map(([op, f, w]) => `{{ if ${op} ${f} "${w}" }}yes{{ end }}`),
  fc.constant('{{ range .app.status.history }}{{ .id }}@{{ .revision }};{{ end }}'),
  fc.constant('{{ with .app.status.operationState }}{{ .phase }}{{ end }}'),
  num.map((n) => `{{ ${n} }}`),
  fc.tuple(tname, fc.array(pipe, { maxLength: 2 }), field).map(([n, ps, f]) => `{{ define "${n}" }}[{{ ${['.', ...ps].join(' | ')} }}]{{ end }}{{ template "${n}" ${f} }}`),
  fc.tuple(tname, field, field).map(([n, f, g]) => `{{ block "${n}" ${f} }}<{{ . }}|{{ $ }}>{{ end }}{{ template "${n}" ${g} }}`),
  tname.map((n) => `{{ template "${n}" .app.metadata }}`),
  fc.tuple(fc.constantFrom('add', 'sub', 'mul', 'max', 'min'), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 })).map(([f, a, b]) => `{{ ${f} ${a} ${b} }}`),
);
const template = fc.array(fc.oneof(action, fc.constantFrom('App ', ' is ', '\n', ': ', '-', '')), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));

const base = { part: 'property', preset: 'argocd' as const, secret: {}, now: '2026-01-02T03:04:05Z', objects, destinations: [{ service: 'console', recipient: 'stdout' }] };
const exprCases: OracleCase[] = fc.sample(expr, { numRuns: runs, seed }).map((e, i) => ({
  ...base,
  id: `expr-${i}: ${e}`,
  configMap: { 'trigger.value': `- when: "true"\n  oncePer: ${JSON.stringify(e)}\n  send: [t]\n`, 'trigger.cond': `- when: ${JSON.stringify(e)}\n  send: [t]\n`, 'template.t': 'message: x\n' },
}));
const templateCases: OracleCase[] = fc.sample(template, { numRuns: runs, seed }).map((t, i) => ({
  ...base,
  id: `template-${i}: ${JSON.stringify(t)}`,
  configMap: { 'template.t': `message: ${JSON.stringify(t)}\n`, context: 'argocdUrl: https://argocd.example.com\n' },
}));

const binary = argoOraclePath();
report('expressions', runDifferential(binary, exprCases));
report('templates', runDifferential(binary, templateCases));

function report(kind: string, results: CaseResult[]): void {
  const agreeing = results.filter((r) => r.disagreements.length === 0).length;
  process.stdout.write(`argo-oracle property run, ${kind}: ${agreeing}/${results.length} agree (${((100 * agreeing) / results.length).toFixed(1)}%), seed ${seed}\n`);
  for (const r of results.filter((x) => x.disagreements.length > 0).slice(0, 5)) {
    const d = r.disagreements[0]!;
    process.stdout.write(`  ${r.case.id}\n    ${d.where}\n      engine: ${d.engine.slice(0, 200)}\n      herald: ${d.herald.slice(0, 200)}\n`);
  }
  if (process.env['CAUSES'] !== undefined) printCauses(results);
}

/** Disagreements grouped by a rough cause: where they are, and the engine's first line with types, numbers and positions blanked. */
function printCauses(results: CaseResult[]): void {
  const groups = new Map<string, string[]>();
  for (const r of results) {
    const d = r.disagreements[0];
    if (d === undefined) continue;
    const side = (text: string) => text.split('\n')[0]!.replace(/\(\d+:\d+\)/g, '').replace(/type [^ )]+( \{\})?/g, 'type T').replace(/-?\d+(\.\d+)?/g, 'N').slice(0, 120);
    const key = `${d.where.split(' ')[0]}: engine ${side(d.engine)} / herald ${side(d.herald)}`;
    groups.set(key, [...(groups.get(key) ?? []), r.case.id]);
  }
  for (const [key, ids] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    process.stdout.write(`${String(ids.length).padStart(4)}  ${key}\n        e.g. ${ids.slice(0, 2).join('\n             ')}\n`);
  }
}
