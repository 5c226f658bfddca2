import { createPlugin, CreatePluginError, nextSteps, type PluginKind } from '@herald/create-plugin';
import { ExitCode } from '../exit-codes.ts';
import { print, printError, type Output } from '../output.ts';

export interface PluginNewFlags {
  kind: PluginKind;
  directory?: string;
  sdk?: string;
  testing?: string;
}

/** `herald plugin new <name>`: the generator of `npm create @herald/plugin`, which owns the templates. */
export async function pluginNewCommand(name: string, flags: PluginNewFlags, out: Output): Promise<ExitCode> {
  try {
    const created = await createPlugin({ name, ...flags });
    print(out, nextSteps(created).trimEnd(), created);
    return ExitCode.ok;
  } catch (err) {
    if (!(err instanceof CreatePluginError)) throw err;
    printError(out, err);
    return ExitCode.failure;
  }
}
