/** The part of Node's `node:ffi` (Node 26, experimental) this file uses. */
interface NodeFfi {
  dlopen(path: string | null, definitions: Record<string, { arguments: string[]; return: string }>): { functions: Record<string, (...args: unknown[]) => unknown> };
}

/**
 * glibc's `malloc_trim(0)`, called through Node's own foreign function interface (`node:ffi`, Node 26 and
 * later), or undefined where it cannot be called: an older Node, node run with `--no-experimental-ffi` or under
 * the permission model without `--allow-ffi`, or a C library without it (musl, macOS).
 *
 * Why: glibc gives memory node has freed back to the system only from the top of a heap; what is freed below
 * memory still in use stays in the RSS. After a start or a burst that is most of what grows outside V8's heap
 * with the objects watched (docs/benchmarks.md, sixteenth to eighteenth waves). `malloc_trim` returns every whole
 * free page. It is the only call that does, and Node has no other way to make it.
 *
 * Node prints an ExperimentalWarning the first time `node:ffi` is loaded; the image starts node with
 * `--disable-warning=ExperimentalWarning`. The call returns 1 when memory was given back, 0 when none was.
 */
export function glibcMallocTrim(): (() => number) | undefined {
  if (process.platform !== 'linux') return undefined;
  const ffi = process.getBuiltinModule('node:ffi') as NodeFfi | undefined;
  if (!ffi) return undefined;
  try {
    // null: the symbol is looked up in the process itself, which is linked against the C library in use.
    const { functions } = ffi.dlopen(null, { malloc_trim: { arguments: ['u64'], return: 'i32' } });
    const trim = functions.malloc_trim!;
    return () => Number(trim(0));
  } catch {
    // No such symbol (not glibc), or FFI refused by the permission model.
    return undefined;
  }
}
