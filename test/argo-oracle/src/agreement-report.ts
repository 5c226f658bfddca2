// Prints the agreement of Herald with the real notifications-engine on the corpus, per part, and every
// disagreement (the first few per case). `node --conditions=herald-source test/argo-oracle/src/agreement-report.ts`
import { argoOraclePath } from './argo-oracle.ts';
import { loadCorpus } from './corpus.ts';
import { agreementTable, runDifferential } from './differential.ts';

const results = runDifferential(argoOraclePath(), loadCorpus());
for (const r of results) {
  if (r.disagreements.length === 0) continue;
  process.stdout.write(`\n${r.case.id}: ${r.disagreements.length} disagreement(s)\n`);
  for (const d of r.disagreements.slice(0, Number(process.env.SHOW ?? 4))) process.stdout.write(`  ${d.where}\n    engine: ${d.engine.slice(0, 300)}\n    herald: ${d.herald.slice(0, 300)}\n`);
}
process.stdout.write(`\n${agreementTable(results)}\n`);
