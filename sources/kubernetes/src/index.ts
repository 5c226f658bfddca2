export { default, default as kubernetesSource } from './kubernetes-source.ts';
export { configSchema, resourceSchema, type KubernetesSourceConfig, type ResourceConfig } from './kubernetes-source.config.ts';
export { KubeSourceError, KubeSourceErrorCodes, type KubeSourceErrorCode } from './errors.ts';
export { stripManagedFields } from './managed-fields.ts';
