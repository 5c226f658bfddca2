import { describe, expect, it } from 'vitest';
import { argoOraclePath } from './argo-oracle.ts';
import { loadCorpus } from './corpus.ts';
import { deviationHeadings, loadDeviations } from './deviations.ts';
import { agreementTable, builtInSinks, runDifferential } from './differential.ts';

// Herald against the real notifications-engine on every case of the corpus: load accept/refuse, every
// trigger's conditions (triggered, key, oncePer) and every field of every rendered notification.
// Herald's side loads the config with its built-in sinks, as `herald template notify` does without a herald.yaml.
const sinks = await builtInSinks();

describe('Argo fidelity: Herald and the real notifications-engine on the corpus', () => {
  const cases = loadCorpus();
  const deviations = loadDeviations();
  const results = runDifferential(argoOraclePath(), cases, sinks);
  process.stdout.write(`\nAgreement with notifications-engine (test/argo-oracle):\n${agreementTable(results)}\n`);

  it('every corpus part has cases', () => {
    expect(new Set(cases.map((c) => c.part))).toEqual(new Set(['catalog', 'rollouts', 'engine-tests', 'adversarial', 'real-world']));
  });

  it('agrees on every case the deviations file does not list', () => {
    const unlisted = results
      .filter((r) => r.disagreements.length > 0 && !deviations.has(r.case.id))
      .map((r) => `${r.case.id}\n${r.disagreements.map((d) => `  ${d.where}\n    engine: ${d.engine}\n    herald: ${d.herald}`).join('\n')}`);
    expect(unlisted, 'Herald disagrees with the engine (fix it, or list the case in test/argo-oracle/deviations.yaml)').toEqual([]);
  });

  it('lists no case that agrees (a fixed deviation leaves the file)', () => {
    const ids = new Set(cases.map((c) => c.id));
    const stale = [...deviations.keys()].filter((id) => !ids.has(id) || results.find((r) => r.case.id === id)!.disagreements.length === 0);
    expect(stale, 'these cases agree now, or are not in the corpus: remove them from test/argo-oracle/deviations.yaml').toEqual([]);
  });

  it('gives every kept deviation a reason in docs/reference/config.md', () => {
    const headings = deviationHeadings();
    const bad = [...deviations].filter(([, d]) => (d.heading === undefined) === (d.todo === undefined) || (d.heading !== undefined && !headings.has(d.heading)));
    expect(bad.map(([id, d]) => `${id}: ${d.heading ?? '(neither or both of heading and todo)'}`), 'each entry has a heading of config.md\'s "## Deviations" section, or a todo').toEqual([]);
  });
});
