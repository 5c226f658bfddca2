import { HeraldError } from '@herald/plugin-sdk';

export const KernelErrorCodes = {
  configInvalid: 'HERALD_ERR_CONFIG_INVALID',
  configUnreadable: 'HERALD_ERR_CONFIG_UNREADABLE',
  pluginLoad: 'HERALD_ERR_PLUGIN_LOAD',
  pluginNotFound: 'HERALD_ERR_PLUGIN_NOT_FOUND',
  pluginNotAPlugin: 'HERALD_ERR_PLUGIN_BRAND',
  pluginContract: 'HERALD_ERR_PLUGIN_CONTRACT',
  pluginSdkRange: 'HERALD_ERR_PLUGIN_SDK_RANGE',
  pluginConfig: 'HERALD_ERR_PLUGIN_CONFIG',
  pluginDeps: 'HERALD_ERR_PLUGIN_DEPS',
  pluginDuplicate: 'HERALD_ERR_PLUGIN_DUPLICATE',
  pluginInit: 'HERALD_ERR_PLUGIN_INIT',
  pluginTimeout: 'HERALD_ERR_PLUGIN_TIMEOUT',
  pluginCall: 'HERALD_ERR_PLUGIN_CALL',
  pluginUnexpected: 'HERALD_ERR_PLUGIN_UNEXPECTED',
  boot: 'HERALD_ERR_KERNEL_BOOT',
} as const;
export type KernelErrorCode = (typeof KernelErrorCodes)[keyof typeof KernelErrorCodes];

/** Engine config (herald.yaml) that cannot be used; `issues` lists every problem with its key path. */
export class ConfigError extends HeraldError {
  readonly issues: readonly string[];

  constructor(issues: readonly string[], options: { cause?: unknown; code?: KernelErrorCode } = {}) {
    super(options.code ?? KernelErrorCodes.configInvalid, `invalid engine config:\n  ${issues.join('\n  ')}`, { cause: options.cause });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Any failure of or inside a plugin; the message starts with the plugin's id. */
export class PluginError extends HeraldError {
  readonly pluginId: string;

  constructor(pluginId: string, code: KernelErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(code, `plugin "${pluginId}": ${message}`, options);
    this.name = 'PluginError';
    this.pluginId = pluginId;
  }
}
