import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KernelErrorCodes, PluginError } from '../errors.ts';
import { loadPlugin } from './plugin-loader.ts';

const fixtures = fileURLToPath(new URL('../__fixtures__/', import.meta.url));

async function loadError(name: string): Promise<PluginError> {
  try {
    await loadPlugin(name, fixtures);
  } catch (err) {
    expect(err).toBeInstanceOf(PluginError);
    return err as PluginError;
  }
  throw new Error(`expected ${name} to be refused`);
}

describe('loading plugins', () => {
  it('loads a plugin by package name', async () => {
    const plugin = await loadPlugin('@herald/plugin-testing/ticker', fixtures);
    expect(plugin).toMatchObject({ id: 'ticker', kind: 'source' });
  });

  it('loads a plugin by path relative to the config', async () => {
    expect(await loadPlugin('./probe-source.ts', fixtures)).toMatchObject({ id: 'probe', kind: 'source' });
  });

  it.each([
    ['./wrong-contract-sink.ts', KernelErrorCodes.pluginContract, 'plugin "from-the-future": built for plugin contract 2, but this Herald speaks contract 1'],
    ['./sdk-mismatch-sink.ts', KernelErrorCodes.pluginSdkRange, 'plugin "needs-newer-sdk": needs @herald/plugin-sdk ^3.0.0, but this Herald provides 1.0.0'],
    ['./not-a-plugin.ts', KernelErrorCodes.pluginNotAPlugin, 'plugin "./not-a-plugin.ts": the module does not export a plugin'],
    ['./missing.ts', KernelErrorCodes.pluginLoad, 'plugin "./missing.ts": cannot load'],
    ['@herald/no-such-plugin', KernelErrorCodes.pluginLoad, 'plugin "@herald/no-such-plugin": cannot load'],
  ])('refuses %s with a clear, attributed error', async (name, code, message) => {
    const error = await loadError(name);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });
});
