import { relative } from 'node:path';
import type { CreatedPlugin } from './create-plugin.ts';

/** What `create-plugin` and `herald plugin new` print once the package is written. */
export function nextSteps(created: CreatedPlugin, cwd: string = process.cwd()): string {
  const where = relative(cwd, created.directory) || '.';
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
