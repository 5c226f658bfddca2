export { Kernel, type KernelOptions, type PluginStatus, type PluginState } from './kernel.ts';
export { loadEngineConfig, envOverridesOf, ENV_PREFIX, type LoadEngineConfigOptions } from './config/load-engine-config.ts';
export { engineConfigSchema, ROLES, type EngineConfig, type EngineConfigInput, type PluginEntry, type Role } from './config/engine-config.schema.ts';
export { ConfigError, PluginError, KernelErrorCodes, type KernelErrorCode } from './errors.ts';
export { checkPlugin, loadPlugin, type PluginSearchOptions } from './plugins/plugin-loader.ts';
export { pluginSearchPath, DEFAULT_IMAGE_PLUGINS_PATH } from './plugins/plugin-search-path.ts';
export { redactSecrets } from './plugins/plugin-config.ts';
export { inspectPlugins, type InspectedPlugin } from './plugins/inspect-plugins.ts';
export { toBusOptions } from './bus-options.ts';
