import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineConfigSchema } from '../config/engine-config.schema.ts';
import { inspectPlugins } from './inspect-plugins.ts';

const fixtures = fileURLToPath(new URL('../__fixtures__/', import.meta.url));

describe('inspecting the configured plugins (herald config check)', () => {
  it.each([
    ['the same plugin twice', ['./probe-source.ts', './probe-source.ts'], 'plugin "probe": listed twice (plugins[1])'],
    ['two sinks of one service type', ['@herald/plugin-testing/tap', './second-tap-sink.ts'], 'plugin "second-tap": service type "tap" is already delivered by plugin "tap"'],
  ])('refuses %s, as `herald run` does', async (_, names, issue) => {
    const config = engineConfigSchema.parse({ plugins: names.map((name) => ({ name, options: name.includes('probe') ? { endpoint: { url: 'https://pager.example/' } } : {} })) });
    const { issues, plugins } = await inspectPlugins(config, fixtures);
    expect(issues).toEqual([issue]);
    expect(plugins).toHaveLength(1);
  });
});
