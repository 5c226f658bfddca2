import { builtinModules } from 'node:module';

const MAX_LENGTH = 214;
// npm refuses these in new package names (validate-npm-package-name's "special characters").
const SPECIAL = /[~'!()*]/;

/**
 * What is wrong with `name` as the name of a new npm package, by npm's rules (those of
 * validate-npm-package-name for new packages); empty when nothing is.
 */
export function packageNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length === 0) return ['it is empty'];
  if (name.trim() !== name) problems.push('it has leading or trailing spaces');
  if (name.length > MAX_LENGTH) problems.push(`it is longer than ${MAX_LENGTH} characters`);
  if (name.startsWith('.') || name.startsWith('_')) problems.push('it starts with a dot or an underscore');
  if (name.toLowerCase() !== name) problems.push('it has capital letters');
  if (SPECIAL.test(name.split('/').pop()!)) problems.push("it has one of the characters ~'!()*");
  if (['node_modules', 'favicon.ico'].includes(name.toLowerCase())) problems.push('it is a name npm reserves');
  if (builtinModules.includes(name)) problems.push('it is the name of a Node.js built-in module');
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  if (name.startsWith('@') && !scoped) problems.push('a scoped name is @scope/name');
  const parts = scoped ? [scoped[1]!, scoped[2]!] : name.startsWith('@') ? [] : [name];
  for (const part of parts) {
    if (part.startsWith('.') || part.startsWith('_')) problems.push(`"${part}" starts with a dot or an underscore`);
    else if (encodeURIComponent(part) !== part) problems.push(`"${part}" has characters that are not URL-safe (letters, digits, - . _ only)`);
  }
  return [...new Set(problems)];
}

/**
 * The plugin id for a package name: lower case letters, digits and dashes, without the scope and without a
 * `herald-sink-` / `herald-source-` / `herald-plugin-` prefix (`@acme/herald-sink-pager` → `pager`).
 */
export function pluginIdFor(name: string): string {
  const bare = name.replace(/^@[^/]+\//, '');
  const id = (bare.replace(/^herald-(sink|source|plugin)-/, '') || bare)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return id || 'plugin';
}
