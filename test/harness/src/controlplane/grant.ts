import { RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import type { ControlPlane } from './control-plane.ts';

/** Creates Role `name` with `rules` in `namespace` and a RoleBinding of the same name that grants it to the restricted user. */
export async function grantRestrictedUser(cp: ControlPlane, namespace: string, name: string, rules: V1PolicyRule[]): Promise<void> {
  const rbac = cp.adminKubeConfig.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: cp.restrictedUser }],
    },
  });
}
