// Prints Herald's agreement with the real notifications-engine on the corpus, per part, and the
// disagreements (SHOW=n per case, default 4). With --todo, prints deviations.yaml entries for the
// disagreeing cases the file does not list yet, each with a guessed cause, for a human to check and paste.
//   node --conditions=herald-source test/argo-oracle/src/agreement-report.ts [--todo]
import { stringify } from 'yaml';
import { argoOraclePath } from './argo-oracle.ts';
import type { Disagreement } from './compare.ts';
import { loadCorpus } from './corpus.ts';
import { loadDeviations } from './deviations.ts';
import { agreementTable, builtInSinks, runDifferential } from './differential.ts';

const results = runDifferential(argoOraclePath(), loadCorpus(), await builtInSinks());
if (process.argv.includes('--todo')) {
  const listed = loadDeviations();
  const todo: Record<string, { todo: string }> = {};
  for (const r of results) if (r.disagreements.length && !listed.has(r.case.id)) todo[r.case.id] = { todo: guessCause(r.case.id, r.disagreements[0]!) };
  process.stdout.write(stringify(todo, { lineWidth: 0 }));
} else {
  for (const r of results) {
    if (r.disagreements.length === 0) continue;
    process.stdout.write(`\n${r.case.id}: ${r.disagreements.length} disagreement(s)\n`);
    for (const d of r.disagreements.slice(0, Number(process.env.SHOW ?? 4))) process.stdout.write(`  ${d.where}\n    engine: ${d.engine.slice(0, 300)}\n    herald: ${d.herald.slice(0, 300)}\n`);
  }
  process.stdout.write(`\n${agreementTable(results)}\n`);
}

/** The cause (#18) a disagreement most likely comes from, else a short description of it. */
function guessCause(id: string, d: Disagreement): string {
  const { where, engine: e, herald: h } = d;
  const both = `${e} ${h}`;
  const short = (s: string) => s.replace(/\s+/g, ' ').slice(0, 140);
  const facts = `${where}: engine ${short(e)} / herald ${short(h)}`;
  if (/alertmanager\.labels/.test(where) && id.includes('every service block')) return `the engine's alertmanager templater writes rendered labels back into the template (the first object's values stick): ${facts}`;
  if (/YAML 1\.1|yaml 1\.1|opsgenie\.note/.test(id + where)) return `YAML 1.1 scalars (yes, on, n are booleans to the engine): ${facts}`;
  if (/must be <service>:<recipient>/.test(h)) return `cause 1 (recipient without ':'): ${facts}`;
  if (/is not defined \(no key template/.test(h)) return `cause 2 (send names an undefined template): ${facts}`;
  if (/invalid map key/.test(e)) return `cause 4 (unquoted {{...}} is a YAML flow mapping): ${facts}`;
  if (/GetCommitMetadata|GetAppDetails|RepoURLToHTTPS|FullNameByRepoURL|QueryEscape|call of nil/.test(both)) return `cause 9 (Argo CD's repo functions): ${facts}`;
  if (/repoURLPath|revisionPath|argocd-notifications .* -->|generatorURL|newrelic/.test(both + where)) return `cause 6 (per-service defaults): ${facts}`;
  if (/serviceType|notificationType|\.secrets|appProject|\.context/.test(id + where) || /<no value>/.test(h)) return `cause 8 (host variables): ${facts}`;
  if (/^load$/.test(where) && /unclosed|unexpected|function .* not defined/.test(h) && e === 'loads') return `cause 3 (text the engine never parses): ${facts}`;
  if (/oncePer="<nil>"/.test(h) || (/triggered=false/.test(e) && /triggered=true/.test(h))) return `cause 5 (member access on nil / errored condition): ${facts}`;
  if (/not supported by Herald|unknown function|unknown method|is not supported/.test(h)) return `missing in Herald: ${facts}`;
  if (/oncePer=/.test(both)) return `oncePer printed unlike Go's %v: ${facts}`;
  if (e.startsWith('refuses') && h === 'loads') return `load-time check the engine makes, Herald not: ${facts}`;
  if (h.startsWith('refuses') && e === 'loads') return `Herald refuses what the engine loads: ${facts}`;
  return facts;
}
