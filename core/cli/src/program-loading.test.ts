import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Runs `herald <args>` in a fresh process (this one has loaded everything already) and returns its exit code and
 * the Herald packages it loaded, by their directory (core/evaluator, plugins/create-plugin, …).
 */
function heraldPackagesLoaded(args: string[]): { code: number | null; loaded: string[] } {
  const hook = `import { registerHooks } from 'node:module';
    registerHooks({ resolve(s, c, next) { const r = next(s, c); const m = /\\/((?:core|plugins|sources|sinks)\\/[^/]+)\\/src\\//.exec(r.url); if (m) process.stderr.write('loaded ' + m[1] + '\\n'); return r; } });`;
  const script = `const { runCli } = await import('./program.ts');
    const sink = { write: () => true };
    process.exitCode = await runCli(${JSON.stringify(args)}, { stdout: sink, stderr: sink });`;
  const child = spawnSync(process.execPath, ['--conditions=herald-source', '--import', `data:text/javascript,${encodeURIComponent(hook)}`, '--input-type=module', '-e', script], {
    cwd: import.meta.dirname,
    encoding: 'utf8',
  });
  if (child.status === null || /\n\s+at /.test(child.stderr)) throw new Error(`child failed: ${child.stderr}`);
  return { code: child.status, loaded: [...new Set(child.stderr.split('\n').filter((l) => l.startsWith('loaded ')).map((l) => l.slice('loaded '.length)))] };
}

// Fresh Node processes, each loading Herald from sources: seconds on a loaded machine.
const childProcessTimeout = 60_000;

describe('what the herald command loads', () => {
  it('loads no command implementation to parse its command line: not the evaluator, not the plugin generator', () => {
    const { code, loaded } = heraldPackagesLoaded(['version']);
    expect(code).toBe(0);
    expect(loaded).toContain('core/kernel');
    expect(loaded).not.toContain('core/evaluator');
    expect(loaded).not.toContain('plugins/create-plugin');
  }, childProcessTimeout);

  it('loads what a command needs when that command runs', () => {
    // A ConfigMap file that is not there: the command fails (exit 1), after loading what it runs on.
    const { code, loaded } = heraldPackagesLoaded(['trigger', 'get', '--config-map', 'no-such-configmap.yaml', '-o', 'json']);
    expect(code).toBe(1);
    expect(loaded).toContain('core/evaluator');
  }, childProcessTimeout);
});
