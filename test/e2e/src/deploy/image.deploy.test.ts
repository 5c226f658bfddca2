// The container image as a user receives it: what is inside (and what is not), who it runs as, and that
// Herald starts from compiled output on a read-only root filesystem.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { docker, heraldImage } from './docker-cli.ts';

interface ImageInspect {
  Size: number;
  Config: { User: string; Entrypoint: string[]; Cmd: string[]; Labels: Record<string, string>; Healthcheck?: { Test: string[] }; Env: string[] };
}

/** Every path in the image's filesystem, from `docker export` piped through tar. */
async function listFiles(): Promise<string[]> {
  const id = (await docker('create', heraldImage)).trim();
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const child = execFile('sh', ['-c', `docker export ${id} | tar -t`], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
        if (err) reject(err);
        else resolve(stdout.split('\n').filter(Boolean));
      });
      child.stdin?.end();
    });
  } finally {
    await docker('rm', '-f', id);
  }
}

describe('the herald image', () => {
  it('holds compiled output and production dependencies only: no TypeScript sources, tests, dev tools, .git or build CA', async () => {
    const files = await listFiles();
    const herald = files.filter((f) => f.startsWith('opt/herald/'));
    expect(herald).toContain('opt/herald/core/cli/dist/main.js');
    expect(herald).toContain('opt/herald/core/cli/dist/bundle/main.js');
    expect(herald).toContain('opt/herald/sinks/webhook/dist/index.js');
    // `herald plugin new` reads the starter's templates.
    expect(herald.some((f) => f.startsWith('opt/herald/plugins/create-plugin/templates/sink/'))).toBe(true);
    // Herald's own files; the starter's templates are a new plugin's files, sources and tests included.
    const ownCode = herald.filter((f) => !f.includes('/node_modules/') && !f.includes('/create-plugin/templates/'));
    expect(ownCode.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(ownCode.filter((f) => /(^|\/)(src|test|__fixtures__)\//.test(f))).toEqual([]);
    expect(ownCode.filter((f) => /\.test\.js$|tsconfig|\.tsbuildinfo$/.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)\.git\//.test(f))).toEqual([]);
    const devTools = ['typescript', 'vitest', 'eslint', 'nx', '@nx', 'typescript-eslint', '@herald/test-e2e', '@herald/test-harness', '@herald/test-bench', '@herald/plugin-testing'];
    for (const tool of devTools) expect(herald.filter((f) => f.startsWith(`opt/herald/node_modules/${tool}/`) && f !== `opt/herald/node_modules/${tool}/`), tool).toEqual([]);
    expect(files.filter((f) => f.includes('build-ca'))).toEqual([]);
    expect(files).toContain('plugins/');
    expect(files).toContain('usr/bin/tini');
  });

  it('runs as uid 65532 through tini, says where it came from, and checks its own health', async () => {
    const [inspect] = JSON.parse(await docker('image', 'inspect', heraldImage)) as ImageInspect[];
    const config = inspect!.Config;
    expect(config.User).toBe('65532:65532');
    expect(config.Entrypoint).toEqual(['/usr/bin/tini', '--', 'herald']);
    expect(config.Labels['org.opencontainers.image.version']).toMatch(/^\d+\.\d+\.\d+/);
    expect(config.Labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$|^unknown$/);
    expect(config.Healthcheck?.Test.join(' ')).toContain('/healthz');
    expect(config.Env).toContain('HERALD_PLUGINS_PATH=/plugins');
    // V8's young generation capped and its gc extension exposed for the idle release (docs/operations/container-image.md,
    // "Memory"), changeable like any variable; node:ffi's warning kept out of the logs.
    expect(config.Env).toContain('NODE_OPTIONS=--max-semi-space-size=16 --expose-gc --disable-warning=ExperimentalWarning');
    process.stdout.write(`herald image: ${(inspect!.Size / 1e6).toFixed(0)} MB\n`);
  });

  it('starts from compiled output on a read-only root filesystem, as an unprivileged user', async () => {
    const out = await docker('run', '--rm', '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', heraldImage, 'version');
    expect(out.trim()).toMatch(/^herald \d+\.\d+\.\d+ \(plugin contract/);
    const id = await docker('run', '--rm', '--entrypoint', 'id', heraldImage);
    expect(id).toContain('uid=65532');
    // The command on the PATH is the bundle (scripts/bundle-cli.ts), which every other deploy test then runs.
    const herald = await docker('run', '--rm', '--entrypoint', 'readlink', heraldImage, '-f', '/usr/local/bin/herald');
    expect(herald.trim()).toBe('/opt/herald/core/cli/dist/bundle/main.js');
  });

  it("runs the bundle's code compiled at build time (node's compile cache) on a read-only root, and another user quietly without it", async () => {
    // NODE_DEBUG_NATIVE=COMPILE_CACHE: node says, file by file, whether it took the cache's code (docs/operations/container-image.md).
    const version = (...args: string[]) => docker('run', '--rm', '--read-only', ...args, '-e', 'NODE_DEBUG_NATIVE=COMPILE_CACHE', '--entrypoint', 'sh', heraldImage, '-c', 'exec herald version 2>&1');
    const asImage = await version();
    expect(asImage).toContain('V8 code cache for ESM file:///opt/herald/core/cli/dist/bundle/main.js was accepted');
    expect(asImage).not.toMatch(/rejected|Cannot create/);
    // The cache is keyed by uid: another one (as OpenShift assigns) finds none and cannot make one on a read-only root.
    const asOther = await version('--user', '12345');
    expect(asOther).toContain('Cannot create cache directory');
    expect(asOther).not.toContain('was accepted');
    // Said only when asked: without the debug variable, the version line alone.
    const quiet = await docker('run', '--rm', '--read-only', '--user', '12345', '--entrypoint', 'sh', heraldImage, '-c', 'exec herald version 2>&1');
    expect(quiet.trim()).toMatch(/^herald \d+\.\d+\.\d+ \(plugin contract[^\n]*$/);
  });

  it('fixes glibc malloc\'s thresholds, and a deployment can change them', async () => {
    // glibc skips a tunable it does not know, or a value out of range, without a word: ask its loader what it
    // took from the image's GLIBC_TUNABLES (docs/operations/container-image.md, "Memory"). ld.so is Debian's, on
    // every architecture.
    const tunables = (...env: string[]) => docker('run', '--rm', '--read-only', ...env, '--entrypoint', 'ld.so', heraldImage, '--list-tunables');
    const image = await tunables();
    expect(image).toMatch(/^glibc\.malloc\.mmap_threshold: 0x8000 /m);
    expect(image).toMatch(/^glibc\.malloc\.trim_threshold: 0x8000 /m);
    // A deployment's value replaces the image's; an empty one gives glibc's own thresholds back (0: not set).
    expect(await tunables('-e', 'GLIBC_TUNABLES=')).toMatch(/^glibc\.malloc\.mmap_threshold: 0x0 /m);
  });

  it("can hand back the pages malloc keeps free: its node calls glibc's malloc_trim, and prints no warning for it", async () => {
    // What the idle release does after its collection (core/kernel/src/malloc-trim.ts), run by the image's node with
    // the image's environment; stderr goes to stdout, so a warning would be in the output.
    const script = `const { glibcMallocTrim } = await import('/opt/herald/core/kernel/dist/malloc-trim.js');
      const trim = glibcMallocTrim();
      await new Promise((r) => setTimeout(r, 50));
      console.log(JSON.stringify({ trim: typeof trim, returned: trim?.() }));`;
    const node = (...env: string[]) => docker('run', '--rm', '--read-only', ...env, '--entrypoint', 'sh', heraldImage, '-c', 'exec node --input-type=module -e "$0" 2>&1', script);
    const out = await node();
    expect(out.trim().split('\n')).toHaveLength(1);
    const { trim, returned } = JSON.parse(out) as { trim: string; returned: number };
    expect(trim).toBe('function');
    expect([0, 1]).toContain(returned);
    // Without the image's --disable-warning, node:ffi's ExperimentalWarning reaches the logs.
    expect(await node('-e', 'NODE_OPTIONS=--expose-gc')).toContain('ExperimentalWarning');
  });
});
