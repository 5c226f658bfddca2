import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { herald } from './__fixtures__/run-cli.ts';

describe('the herald command line', () => {
  it('prints its version with --version, as `herald version` does', async () => {
    const flag = await herald('--version');
    expect(flag).toMatchObject({ code: 0, stderr: '' });
    expect(flag.stdout).toBe((await herald('version')).stdout);
    expect((await herald('-V')).stdout).toMatch(/^herald \d+\.\d+\.\d+ \(plugin contract 1/);
  });

  it.each([
    [['bogus', '-o', 'json'], /unknown command 'bogus'/],
    [['plugin', 'new', 'x', '--kind', 'gadget', '--output', 'json'], /argument 'gadget' is invalid/],
    [['trigger', 'get', '--nope', '-o', 'json'], /unknown option '--nope'/],
  ])('prints a usage error as a JSON document on stdout for -o json and exits 2: %j', async (args, message) => {
    const result = await herald(...args);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'HERALD_ERR_USAGE', message: expect.stringMatching(message) } });
  });

  it('prints a usage error as YAML on stdout for -o yaml', async () => {
    const result = await herald('template', 'get', '--config-map', '/no/such/cm.yaml', '--bogus', '-o', 'yaml');
    expect(result.code).toBe(2);
    expect(parseYaml(result.stdout)).toEqual({ error: { code: 'HERALD_ERR_USAGE', message: expect.stringMatching(/unknown option '--bogus'/) } });
  });

  it('prints a failure as YAML on stdout for -o yaml and exits 1', async () => {
    const result = await herald('template', 'get', '--config-map', '/no/such/cm.yaml', '-o', 'yaml');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(parseYaml(result.stdout)).toEqual({ error: { code: 'HERALD_ERR_NOTIFICATION_CONFIG', message: 'cannot read the ConfigMap /no/such/cm.yaml: ENOENT' } });
  });

  it.each(['bash', 'zsh', 'fish'])('writes a %s completion script that asks herald for candidates', async (shell) => {
    const result = await herald('completion', shell);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('herald __complete');
  });

  it('refuses a shell it has no script for (exit 2)', async () => {
    expect((await herald('completion', 'powershell')).code).toBe(2);
  });

  it.each([
    [['tr'], ['trigger']],
    [['template', ''], ['notify', 'get']],
    [['template', 'notify', '--re'], ['--recipient']],
    [['trigger', 'run', 'x', '-o', ''], ['text', 'wide', 'json', 'yaml']],
    [['trigger', 'run', '--config-map', 'cm.yaml', '--k'], ['--kubeconfig']],
    [['completion', ''], ['bash', 'zsh', 'fish']],
    [['config', 'validate', '--kubeconfig', ''], []],
  ])('completes %j with %j', async (words, candidates) => {
    const result = await herald('__complete', ...words);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(candidates);
  });
});
