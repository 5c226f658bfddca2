export {
  type ControlPlane,
  restrictedUserName,
  startControlPlane,
  type StartControlPlaneOptions,
} from './control-plane.ts';
