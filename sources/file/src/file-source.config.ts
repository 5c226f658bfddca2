import { durationSchema, z } from '@herald/plugin-sdk';

/** `Kind` or `group/Kind`, as the engine config's `notifications.variables` names kinds. */
const kindPattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z][A-Za-z0-9]*$/;
const kindMessage = 'must be a kind ("Application") or group/kind ("argoproj.io/Application")';
const kindKey = z.string().regex(kindPattern, kindMessage);
const plural = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lower-case plural resource name such as "applications"');
const namespaceName = z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name (lower-case letters, digits and "-")');

export const configSchema = z.strictObject({
  /** Folder of `.yaml`, `.yml` and `.json` files, read recursively; a relative path is relative to Herald's working directory. */
  path: z.string().min(1, 'name the folder to watch'),
  /** Time between full rescans of the folder, besides the file-system notifications that trigger one at once. */
  rescan: durationSchema().pipe(z.number().min(100, 'must be at least 100ms')).prefault('2s'),
  /**
   * Every resyncPeriod, each object is published again although it did not change (marked `resync`), to be
   * evaluated again: a condition on the clock then fires when its time comes, as with the Kubernetes source's
   * resyncPeriod (Argo's hosts resync every minute). Off when left out.
   */
  resyncPeriod: durationSchema().pipe(z.number().min(1_000, 'must be at least 1s')).optional(),
  /** Namespace of the objects whose metadata names none (except the kinds in `clusterScoped`). */
  namespace: namespaceName.default('default'),
  /** Plural resource name by kind, where the naive English plural of the lower-case kind is wrong. */
  resources: z
    .record(z.string(), plural)
    // Checked here rather than as the record's key schema, whose issue would not say what is wrong.
    .superRefine((resources, ctx) => {
      for (const key of Object.keys(resources)) if (!kindPattern.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: kindMessage });
    })
    .default({}),
  /** Kinds whose objects have no namespace, besides Kubernetes' own (Namespace, Node, ClusterRole…). */
  clusterScoped: z.array(kindKey).default([]),
});

export type FileSourceConfig = z.output<typeof configSchema>;
