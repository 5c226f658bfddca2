export { default, default as kubernetesSource } from './kubernetes-source.ts';
export { configSchema, resourceSchema, type KubernetesSourceConfig, type ResourceConfig } from './kubernetes-source.config.ts';
export { KubeSourceError, KubeSourceErrorCodes, type KubeSourceErrorCode } from './errors.ts';
export { loadKubeConfig, type LoadKubeConfigOptions, type LoadedKubeConfig } from './kubeconfig.ts';
export { stripManagedFields } from './managed-fields.ts';
export * from './informer/index.ts';
