import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { herald } from '../__fixtures__/run-cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'herald-plugin-new-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('herald plugin new', () => {
  it('creates a sink package from the starter, and says what to do next', async () => {
    const directory = join(scratch, 'pager');
    const run = await herald('plugin', 'new', '@acme/herald-sink-pager', '--kind', 'sink', '--directory', directory);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`Created @acme/herald-sink-pager, a Herald sink plugin (id "pager"), in ${directory}`);
    expect(run.stdout).toContain('npm test');
    expect(JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'))).toMatchObject({ name: '@acme/herald-sink-pager', peerDependencies: { '@herald/plugin-sdk': '^1.0.0' } });
    expect(readFileSync(join(directory, 'src/index.ts'), 'utf8')).toContain('defineSink');
  });

  it('creates a source with --kind source, and reports the package as JSON with -o json', async () => {
    const directory = join(scratch, 'inventory');
    const run = await herald('plugin', 'new', 'herald-source-inventory', '--kind', 'source', '--directory', directory, '-o', 'json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ directory, name: 'herald-source-inventory', kind: 'source', id: 'inventory', files: expect.arrayContaining(['src/index.ts', 'test/source.test.ts']) });
  });

  it('refuses a folder that is not empty and an invalid name, with exit code 1 and the reason', async () => {
    const taken = join(scratch, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'keep.txt'), '');
    const full = await herald('plugin', 'new', 'taken', '--directory', taken);
    expect(full).toMatchObject({ code: 1, stdout: '' });
    expect(full.stderr).toBe(`herald: ${taken} is not empty (keep.txt); nothing was written. Choose another name or --directory, or empty the folder\n`);
    const bad = await herald('plugin', 'new', 'Bad_Name', '--directory', join(scratch, 'bad'), '-o', 'json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'HERALD_ERR_CREATE_PLUGIN_NAME', message: expect.stringContaining('it has capital letters') } });
    expect(existsSync(join(scratch, 'bad'))).toBe(false);
  });

  it('refuses a kind it does not know as a usage error', async () => {
    const run = await herald('plugin', 'new', 'x', '--kind', 'filter', '--directory', join(scratch, 'x'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Allowed choices are sink, source");
  });
});
