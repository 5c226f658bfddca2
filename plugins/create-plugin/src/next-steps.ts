import { isAbsolute, relative } from 'node:path';
import type { CreatedPlugin } from './create-plugin.ts';

/** What `create-plugin` and `herald plugin new` print once the package is written. */
export function nextSteps(created: CreatedPlugin, cwd: string = process.cwd()): string {
  // Relative when it is below the working directory (what the author typed), else the absolute path.
  const below = relative(cwd, created.directory);
  const where = below === '' ? '.' : below.startsWith('..') || isAbsolute(below) ? created.directory : below;
  const use = created.kind === 'sink' ? `service.${created.id}` : `plugins: [{ name: ${created.name}, options: { file: … } }]`;
  return [
    `Created ${created.name}, a Herald ${created.kind} plugin (id "${created.id}"), in ${where}`,
    '',
    'Next:',
    ...(where === '.' ? [] : [`  cd ${where}`]),
    '  npm install',
    '  npm test',
    '',
    `Then edit src/index.ts; README.md says how to install it next to herald.yaml (${use}).`,
    '',
  ].join('\n');
}
