import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEVIATIONS_FILE = join(HERE, '..', 'deviations.yaml');
export const CONFIG_REFERENCE = join(HERE, '..', '..', '..', 'docs', 'reference', 'config.md');

/**
 * A case on which Herald may disagree with the engine: a deviation kept on purpose (`heading`: its entry in
 * docs/reference/config.md's deviations section), or a known gap being closed (`todo`: why, until fixed).
 */
export interface Deviation {
  heading?: string;
  todo?: string;
}

export function loadDeviations(): Map<string, Deviation> {
  const raw = (parse(readFileSync(DEVIATIONS_FILE, 'utf8')) ?? {}) as Record<string, Deviation>;
  return new Map(Object.entries(raw));
}

/** The `###` headings under config.md's `## Deviations…` section. */
export function deviationHeadings(markdown = readFileSync(CONFIG_REFERENCE, 'utf8')): Set<string> {
  const headings = new Set<string>();
  let inSection = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('## ')) inSection = /^## Deviations\b/i.test(line);
    else if (inSection && line.startsWith('### ')) headings.add(line.slice(4).trim());
  }
  return headings;
}
