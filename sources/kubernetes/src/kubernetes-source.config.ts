import { durationSchema, z } from '@herald/plugin-sdk';

/** Milliseconds from a number or a duration string as herald.yaml writes them (`500ms`, `30s`, `5m`, `1h30m`, `1d`). */
const duration = durationSchema({ days: true });

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const namespaceName = z.string().max(63).regex(dnsLabel, 'must be a namespace name (lower-case letters, digits and "-")');
const namespaceList = z.array(namespaceName).min(1, 'list at least one namespace, or leave the key out to watch all');

export const resourceSchema = z.strictObject({
  /** API group; "" (the default) is the core group of Pods, ConfigMaps, Services… */
  group: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, 'must be an API group such as "apps" or "cert-manager.io" ("" for the core group)').default(''),
  version: z.string().regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'must be an API version such as "v1" or "v1beta1"'),
  /** Plural resource name: `pods`, `deployments`, `applications`. */
  resource: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lower-case plural resource name such as "pods"'),
  /** Kind of its objects (`Pod`); checked against the API server at start. */
  kind: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'must be a kind such as "Pod"'),
  /** Namespaces to watch; default: the top-level `namespaces`, else all. Not allowed for cluster-scoped resources. */
  namespaces: namespaceList.optional(),
  /** Only objects whose labels match, e.g. `app=web,tier!=cache`. */
  labelSelector: z.string().min(1).optional(),
  /** Only objects whose fields match, e.g. `status.phase!=Succeeded`. */
  fieldSelector: z.string().min(1).optional(),
});

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const seconds = (fallback: string) => duration.pipe(z.number().min(1_000, 'must be at least 1s').multipleOf(1_000, 'must be whole seconds (a Lease stores seconds)')).prefault(fallback);

/** One process publishes at a time; the others stand by and take over when it goes (client-go's leader election). */
export const leaderElectionSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** The coordination.k8s.io/v1 Lease the candidates share; the same for every process of one Herald. */
    leaseName: z.string().max(253).regex(dnsSubdomain, 'must be a Kubernetes object name (lower-case letters, digits, "-" and ".")').default('herald-source'),
    /** Namespace of the Lease; default: $POD_NAMESPACE, else the kubeconfig context's namespace, else `default`. */
    namespace: namespaceName.optional(),
    /** How long the others wait, after they last saw the leader renew, before they take over. */
    leaseDuration: seconds('15s'),
    /** How long the leader keeps trying to renew before it stops publishing. */
    renewDeadline: duration.pipe(z.number().min(1, 'must be at least 1ms')).prefault('10s'),
    /** Time between attempts to renew or to take the lease. */
    retryPeriod: duration.pipe(z.number().min(1, 'must be at least 1ms')).prefault('2s'),
  })
  .prefault({})
  .superRefine((le, ctx) => {
    if (le.renewDeadline >= le.leaseDuration) ctx.addIssue({ code: 'custom', path: ['renewDeadline'], message: 'must be shorter than leaseDuration (the leader must stop before the others may take over)' });
    if (le.retryPeriod >= le.renewDeadline) ctx.addIssue({ code: 'custom', path: ['retryPeriod'], message: 'must be shorter than renewDeadline' });
  });

export const configSchema = z.strictObject({
  /** Path of a kubeconfig file. Default: `$KUBECONFIG`, else the in-cluster service account, else `~/.kube/config`. */
  kubeconfig: z.string().min(1).optional(),
  /** Context of the kubeconfig to use; default: its current context. */
  context: z.string().min(1).optional(),
  resources: z
    .array(resourceSchema)
    .min(1, 'list at least one resource to watch')
    .superRefine((resources, ctx) => {
      const seen = new Map<string, number>();
      resources.forEach((r, index) => {
        const key = `${r.resource}.${r.group}`;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, index);
        else ctx.addIssue({ code: 'custom', path: [index], message: `${r.resource} of group "${r.group}" is already listed at resources[${first}]` });
      });
    }),
  /** Namespaces for every namespaced resource that lists none; default: all. */
  namespaces: namespaceList.optional(),
  /** Server-side timeout of a watch; each watch asks for a random value between this and twice this. */
  watchTimeout: duration.pipe(z.number().min(1_000, 'must be at least 1s')).prefault('5m'),
  /** Objects per page when listing. */
  pageSize: z.number().int().min(1).max(10_000).default(500),
  /**
   * Every this long, list each watched collection again and publish every object, unchanged ones too, so that
   * conditions that read the clock (`time.Now()`), claims released after a failed send and config changes are
   * evaluated again without the object changing: the resync Argo's hosts run every minute (`1m`). Off when left
   * out: each resync is a list from the API server and an event per object on the bus.
   */
  resyncPeriod: duration.pipe(z.number().min(1_000, 'must be at least 1s')).optional(),
  /**
   * Events of one watched collection published at once, each waiting for the bus's acknowledgement; the
   * events of one object are published one at a time, in order. 1 publishes one event at a time.
   */
  maxInFlight: z.number().int().min(1).max(4_096).default(128),
  /** Waits between failed lists/watches and between failed publishes: doubling from `initial` up to `max`, with jitter. */
  backoff: z
    .strictObject({
      initial: duration.pipe(z.number().min(1, 'must be at least 1ms')).prefault('1s'),
      max: duration.prefault('30s'),
    })
    .prefault({})
    .refine((b) => b.max >= b.initial, { message: 'max must not be shorter than initial', path: ['max'] }),
  leaderElection: leaderElectionSchema,
  /**
   * At a clean stop, save what was published of each object (a few fields and its fingerprint, in the plugin's
   * store on the bus), so that the next start publishes only what changed, appeared or went meanwhile instead of
   * every object: a restart then costs a list, not an evaluation of everything, and Herald behaves as if it had
   * run through it. A notification config changed meanwhile still reaches every object (a resync request). Off:
   * every start evaluates every object again, as Argo's hosts do (a condition on the clock, or a claim released
   * after a failed send, is then looked at by a restart too; `resyncPeriod` looks at them while running).
   */
  checkpoint: z.boolean().default(true),
  /**
   * A MODIFIED that changes nothing but these annotations (and resourceVersion, managedFields) is not
   * published. Default: Herald's own `notified` annotation, whose patch would otherwise come back as an event.
   */
  // eslint-disable-next-line no-restricted-syntax -- only compared, never read or written: core/dedup owns its content
  ignoredAnnotations: z.array(z.string().min(1)).default(['notified.notifications.argoproj.io']),
});

export type KubernetesSourceConfig = z.output<typeof configSchema>;
export type ResourceConfig = z.output<typeof resourceSchema>;
export type LeaderElectionConfig = z.output<typeof leaderElectionSchema>;
