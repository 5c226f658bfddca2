import { describe, expect, it } from 'vitest';
import { configSchema } from './kubernetes-source.config.ts';

const pods = { version: 'v1', resource: 'pods', kind: 'Pod' };

/** `path: message` of every issue, the way the kernel reports them under `plugins[i].options`. */
function issues(input: unknown): string[] {
  const result = configSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => `${[...i.path, k].join('.')}: unknown key`) : [`${i.path.join('.')}: ${i.message}`],
  );
}

describe('kubernetes source options', () => {
  it('fills in the defaults', () => {
    expect(configSchema.parse({ resources: [pods] })).toEqual({
      resources: [{ group: '', version: 'v1', resource: 'pods', kind: 'Pod' }],
      watchTimeout: 300_000,
      pageSize: 500,
      maxInFlight: 128,
      backoff: { initial: 1_000, max: 30_000 },
      leaderElection: { enabled: true, leaseName: 'herald-source', leaseDuration: 15_000, renewDeadline: 10_000, retryPeriod: 2_000 },
      checkpoint: true,
      ignoredAnnotations: ['notified.notifications.argoproj.io'],
    });
  });

  it('takes every option, durations as strings or milliseconds', () => {
    const config = configSchema.parse({
      kubeconfig: '/etc/herald/kubeconfig',
      context: 'prod',
      namespaces: ['team-a', 'team-b'],
      resources: [
        { ...pods, namespaces: ['web'], labelSelector: 'app=web', fieldSelector: 'status.phase!=Succeeded' },
        { group: 'argoproj.io', version: 'v1alpha1', resource: 'applications', kind: 'Application' },
      ],
      watchTimeout: '1m30s',
      pageSize: 100,
      resyncPeriod: '1m',
      backoff: { initial: 250, max: '10s' },
      leaderElection: { enabled: false, leaseName: 'herald.source-a', namespace: 'herald', leaseDuration: '4s', renewDeadline: 3_000, retryPeriod: '500ms' },
      checkpoint: false,
    });
    expect(config).toMatchObject({ watchTimeout: 90_000, pageSize: 100, resyncPeriod: 60_000, checkpoint: false, backoff: { initial: 250, max: 10_000 }, namespaces: ['team-a', 'team-b'] });
    expect(config.leaderElection).toEqual({ enabled: false, leaseName: 'herald.source-a', namespace: 'herald', leaseDuration: 4_000, renewDeadline: 3_000, retryPeriod: 500 });
    expect(config.resources[1]).toEqual({ group: 'argoproj.io', version: 'v1alpha1', resource: 'applications', kind: 'Application' });
  });

  it.each([
    ['no resources', {}, ['resources: Invalid input: expected array, received undefined']],
    ['an empty resource list', { resources: [] }, ['resources: list at least one resource to watch']],
    ['a resource without kind', { resources: [{ version: 'v1', resource: 'pods' }] }, ['resources.0.kind: Invalid input: expected string, received undefined']],
    ['a capitalised resource', { resources: [{ ...pods, resource: 'Pods' }] }, ['resources.0.resource: must be a lower-case plural resource name such as "pods"']],
    ['a group with a slash', { resources: [{ ...pods, group: 'apps/v1' }] }, ['resources.0.group: must be an API group such as "apps" or "cert-manager.io" ("" for the core group)']],
    ['an unknown resource key', { resources: [{ ...pods, selector: 'app=web' }] }, ['resources.0.selector: unknown key']],
    ['an unknown top-level key', { resources: [pods], kubeConfig: '/x' }, ['kubeConfig: unknown key']],
    ['an empty namespace list', { resources: [{ ...pods, namespaces: [] }] }, ['resources.0.namespaces: list at least one namespace, or leave the key out to watch all']],
    ['a bad namespace name', { namespaces: ['Team_A'], resources: [pods] }, ['namespaces.0: must be a namespace name (lower-case letters, digits and "-")']],
    ['the same resource twice', { resources: [pods, { ...pods, namespaces: ['x'] }] }, ['resources.1: pods of group "" is already listed at resources[0]']],
    ['a watch timeout that is not a duration', { resources: [pods], watchTimeout: 'soon' }, ['watchTimeout: "soon" is not a duration: a unit without a number (use e.g. 500ms, 10s, 5m, 1h30m, 7d)']],
    ['a watch timeout under a second', { resources: [pods], watchTimeout: '500ms' }, ['watchTimeout: must be at least 1s']],
    ['a resync period under a second', { resources: [pods], resyncPeriod: '500ms' }, ['resyncPeriod: must be at least 1s']],
    ['a backoff max below initial', { resources: [pods], backoff: { initial: '10s', max: '1s' } }, ['backoff.max: max must not be shorter than initial']],
    ['an unknown backoff key', { resources: [pods], backoff: { factor: 3 } }, ['backoff.factor: unknown key']],
    ['a lease duration in fractions of a second', { resources: [pods], leaderElection: { leaseDuration: '15500ms' } }, ['leaderElection.leaseDuration: must be whole seconds (a Lease stores seconds)']],
    ['a renew deadline not shorter than the lease', { resources: [pods], leaderElection: { leaseDuration: '10s' } }, ['leaderElection.renewDeadline: must be shorter than leaseDuration (the leader must stop before the others may take over)']],
    ['a retry period not shorter than the renew deadline', { resources: [pods], leaderElection: { retryPeriod: '10s' } }, ['leaderElection.retryPeriod: must be shorter than renewDeadline']],
    ['a lease name with capitals', { resources: [pods], leaderElection: { leaseName: 'Herald' } }, ['leaderElection.leaseName: must be a Kubernetes object name (lower-case letters, digits, "-" and ".")']],
    ['an unknown leader election key', { resources: [pods], leaderElection: { identity: 'me' } }, ['leaderElection.identity: unknown key']],
  ])('refuses %s, naming the key', (_, input, expected) => {
    expect(issues(input)).toEqual(expected);
  });
});
