export {
  type ControlPlane,
  restrictedUserName,
  startControlPlane,
  type StartControlPlaneOptions,
} from './control-plane.ts';
export { createNamespacedCrd, type NamespacedCrd } from './crd.ts';
export { grantRestrictedUser } from './grant.ts';
