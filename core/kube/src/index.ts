export * from './informer/index.ts';
export { loadKubeConfig, type LoadKubeConfigOptions, type LoadedKubeConfig } from './kubeconfig.ts';
export type { KubeCredentials, KubeCluster } from './kube-credentials.ts';
export { KubeConfigError, KUBECONFIG_ERROR_CODE } from './errors.ts';
export * from './lease/index.ts';
