import { createLogger } from '@herald/core-telemetry';
import { describe, expect, it } from 'vitest';
import { pluginLogger } from './plugin-logger.ts';

function capture() {
  const lines: string[] = [];
  const root = createLogger('herald', { destination: { write: (line: string) => void lines.push(line) } });
  return { lines, root, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Keys of the line's top level as written, duplicates kept (JSON.parse would keep only the last). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"\s*:|[{}]/g)) {
    if (match[0] === '{') depth++;
    else if (match[0] === '}') depth--;
    else if (depth === 1) keys.push(match[1]!);
  }
  return keys;
}

describe('a plugin’s logger', () => {
  it('keeps Herald’s fields once, moving the plugin’s colliding fields under `fields`', () => {
    const { lines, root, parsed } = capture();
    const log = pluginLogger(root, 'file');
    log.info({ name: 'orders', plugin: 'other', bytes: 12 }, 'written');
    log.child({ name: 'rotation', msg: 'x' }).warn({ fields: { kept: true }, level: 'loud' }, 'rotated');
    log.error('plain text');

    for (const line of lines) {
      const keys = topLevelKeys(line);
      expect(keys.filter((k) => k === 'name' || k === 'plugin' || k === 'msg' || k === 'level' || k === 'fields').sort()).toEqual(
        [...new Set(keys.filter((k) => k === 'name' || k === 'plugin' || k === 'msg' || k === 'level' || k === 'fields'))].sort(),
      );
    }
    expect(parsed()).toEqual([
      expect.objectContaining({ name: 'herald', plugin: 'file', level: 'info', msg: 'written', bytes: 12, fields: { name: 'orders', plugin: 'other' } }),
      expect.objectContaining({ name: 'herald', plugin: 'file', level: 'warn', msg: 'rotated', fields: { name: 'rotation', msg: 'x', kept: true, level: 'loud' } }),
      expect.objectContaining({ name: 'herald', plugin: 'file', level: 'error', msg: 'plain text' }),
    ]);
  });

  it('logs an error object as pino does', () => {
    const { root, parsed } = capture();
    pluginLogger(root, 'file').error({ err: new Error('disk full') }, 'write failed');
    expect(parsed()[0]).toMatchObject({ err: { message: 'disk full', type: 'Error' }, plugin: 'file' });
  });
});
