import { KUBECONFIG_ERROR_CODE } from '@herald/core-kube';
import { HeraldError } from '@herald/plugin-sdk';

export const KubeSourceErrorCodes = {
  /** The API server refused the kubeconfig's credentials: core-kube's code for a kubeconfig that cannot work. */
  kubeconfig: KUBECONFIG_ERROR_CODE,
  /** The API server does not serve a configured group/version/resource. */
  unknownResource: 'HERALD_ERR_KUBE_RESOURCE_UNKNOWN',
  /** The resource is served but not as configured (kind, scope, verbs). */
  resourceMismatch: 'HERALD_ERR_KUBE_RESOURCE_MISMATCH',
  /** RBAC refuses to list (or watch) a configured resource. */
  forbidden: 'HERALD_ERR_KUBE_FORBIDDEN',
  /** The API server refused the leader-election Lease for another reason than RBAC (e.g. no such namespace). */
  leaseRefused: 'HERALD_ERR_KUBE_LEASE',
  /** The API server could not be reached or failed (network, 5xx) while starting. */
  unavailable: 'HERALD_ERR_KUBE_UNAVAILABLE',
  /** An object nests deeper than Herald accepts: dead-lettered, not published. */
  objectTooDeep: 'HERALD_ERR_KUBE_OBJECT_TOO_DEEP',
  /** The bus refused an object's event for good (too large), even reduced: dead-lettered. */
  objectRefused: 'HERALD_ERR_KUBE_OBJECT_REFUSED',
} as const;

export type KubeSourceErrorCode = (typeof KubeSourceErrorCodes)[keyof typeof KubeSourceErrorCodes];

export class KubeSourceError extends HeraldError {
  constructor(code: KubeSourceErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(code, message, options);
    this.name = 'KubeSourceError';
  }
}
