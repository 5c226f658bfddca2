import { HeraldError } from '@herald/plugin-sdk';

/** No kubeconfig could be loaded, or the context is not in it. */
export const KUBECONFIG_ERROR_CODE = 'HERALD_ERR_KUBE_CONFIG';

export class KubeConfigError extends HeraldError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(KUBECONFIG_ERROR_CODE, message, options);
    this.name = 'KubeConfigError';
  }
}
