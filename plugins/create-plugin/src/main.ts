#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { assertKind, createPlugin, PLUGIN_KINDS } from './create-plugin.ts';
import { CreatePluginError } from './errors.ts';
import { nextSteps } from './next-steps.ts';

// `npm create @herald/plugin my-sink -- --kind sink` runs this bin as `create-plugin my-sink --kind sink`.
const usage = `Usage: npm create @herald/plugin@latest <name> -- [--kind ${PLUGIN_KINDS.join('|')}] [--directory <dir>]

Creates a new Herald plugin package <name> (an npm package name) in ./<name without scope>.
  --kind        sink (delivers notifications; default) or source (publishes resource events)
  --directory   where to create it instead (must not exist, or be empty)
  --sdk         devDependency spec of @herald/plugin-sdk (default ^1.0.0; e.g. a tarball's file: path)
  --testing     devDependency spec of @herald/plugin-testing (default ^1.0.0)
`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        kind: { type: 'string', short: 'k', default: 'sink' },
        directory: { type: 'string', short: 'd' },
        sdk: { type: 'string' },
        testing: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`${positionals.length === 0 ? 'name the new package' : `one name only, not ${positionals.join(' ')}`}\n\n${usage}`);
    return 2;
  }
  try {
    const kind = values.kind;
    assertKind(kind);
    const created = await createPlugin({
      name: positionals[0]!,
      kind,
      ...(values.directory ? { directory: values.directory } : {}),
      ...(values.sdk ? { sdk: values.sdk } : {}),
      ...(values.testing ? { testing: values.testing } : {}),
    });
    process.stdout.write(nextSteps(created));
    return 0;
  } catch (err) {
    if (!(err instanceof CreatePluginError)) throw err;
    process.stderr.write(`create-plugin: ${err.message} (${err.code})\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
