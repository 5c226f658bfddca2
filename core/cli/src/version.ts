import { CONTRACT_VERSION, SDK_VERSION } from '@herald/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };

export interface VersionInfo {
  version: string;
  pluginContract: number;
  sdk: string;
  node: string;
}

export function versionInfo(): VersionInfo {
  return { version: pkg.version, pluginContract: CONTRACT_VERSION, sdk: SDK_VERSION, node: process.version };
}
