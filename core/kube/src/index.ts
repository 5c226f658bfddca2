export * from './informer/index.ts';
export { loadKubeConfig, type LoadKubeConfigOptions, type LoadedKubeConfig } from './kubeconfig.ts';
export { KubeConfigError, KUBECONFIG_ERROR_CODE } from './errors.ts';
export * from './lease/index.ts';
