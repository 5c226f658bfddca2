import { registerHooks } from 'node:module';

export const SDK_PACKAGE = '@herald/plugin-sdk';

let shared = false;

/**
 * Makes every `import '@herald/plugin-sdk'` (and its subpaths) resolve to Herald's own copy, whoever the
 * importer is. A plugin installed in a plugins folder declares the SDK as a peerDependency and has no copy;
 * one that brings its own copy gets Herald's anyway, so schemas, brands and errors are the very objects the
 * kernel checks (the SDK range check refuses a plugin this copy cannot serve). Synchronous, in-thread hooks:
 * Node's public module customization API; installed once per process.
 */
export function shareSdkWithPlugins(): void {
  if (shared) return;
  shared = true;
  const herald = import.meta.url;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === SDK_PACKAGE || specifier.startsWith(`${SDK_PACKAGE}/`)) return nextResolve(specifier, { ...context, parentURL: herald });
      return nextResolve(specifier, context);
    },
  });
}
