/**
 * `node --conditions=herald-source test/bench/src/side-by-side-render.ts [bench-e2e-results.json]`: the table and
 * the plots again from the end-to-end benchmark's JSON (BENCH_PLOT_DIR as the benchmark's), e.g. for a run that
 * was stopped before its last round: every finished run is in the file.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { columnsFromResults, latencyChart, rssChart, sideBySideTable } from './side-by-side-report.ts';

const path = process.argv[2] ?? process.env.BENCH_E2E_OUT ?? 'bench-e2e-results.json';
const plotDir = process.env.BENCH_PLOT_DIR ?? fileURLToPath(new URL('../../../docs/benchmarks/', import.meta.url));
const columns = columnsFromResults(JSON.parse(readFileSync(path, 'utf8')) as Parameters<typeof columnsFromResults>[0]);
process.stdout.write(`${sideBySideTable(columns)}\n`);
mkdirSync(plotDir, { recursive: true });
writeFileSync(join(plotDir, 'latency-vs-rate.svg'), latencyChart(columns));
writeFileSync(join(plotDir, 'rss-vs-watched.svg'), rssChart(columns));
