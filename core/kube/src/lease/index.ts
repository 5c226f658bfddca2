// Leader election on a coordination.k8s.io/v1 Lease, with no Herald-specific code.
export { LeaderElector, type LeaderElectorLogger, type LeaderElectorOptions, type LeaderTerm } from './leader-elector.ts';
export { leasePath, microTime, type Lease, type LeaseSpec } from './lease.ts';
