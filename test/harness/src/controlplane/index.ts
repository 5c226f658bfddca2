export {
  type ControlPlane,
  restrictedUserName,
  startControlPlane,
  type StartControlPlaneOptions,
} from './control-plane.ts';
export { createNamespacedCrd, type NamespacedCrd } from './crd.ts';
export { grantRestrictedUser } from './grant.ts';
export { serverSideDryRun, type DryRunAnswer } from './dry-run.ts';
export { serviceAccountKubeconfig, type ServiceAccountCredentials } from './service-account-token.ts';
