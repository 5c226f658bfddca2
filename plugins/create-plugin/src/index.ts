export { assertKind, assertPackageName, createPlugin, PLUGIN_KINDS, SDK_RANGE, type CreatedPlugin, type CreatePluginOptions, type PluginKind } from './create-plugin.ts';
export { CreatePluginError, CreatePluginErrorCodes, type CreatePluginErrorCode } from './errors.ts';
export { nextSteps } from './next-steps.ts';
export { packageNameProblems, pluginIdFor } from './package-name.ts';
