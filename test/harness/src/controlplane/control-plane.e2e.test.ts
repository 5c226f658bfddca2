import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
  type V1Pod,
  VersionApi,
} from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import { createNamespacedCrd } from './crd.ts';
import { eventually } from '../eventually.ts';
import { grantRestrictedUser } from './grant.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
// The version test/controlplane pins (gen-go-mod.sh writes it), e.g. v1.34.4.
const pinnedVersion = readFileSync(new URL('../../../controlplane/KUBE_VERSION', import.meta.url), 'utf8').trim();

interface Widget extends KubernetesObject {
  spec?: { size?: number };
}

let cp: ControlPlane;
let admin: CoreV1Api;

beforeAll(async () => {
  cp = await startControlPlane();
  admin = cp.adminKubeConfig.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await cp?.stop();
});

describe('kube-apiserver control plane', () => {
  it('serves the stamped Kubernetes version', async () => {
    const version = await cp.adminKubeConfig.makeApiClient(VersionApi).getCode();
    expect(pinnedVersion).toMatch(/^v1\.34\.\d+$/);
    expect(version.gitVersion).toBe(pinnedVersion);
    expect(version.minor).toBe('34');
  });

  it('delivers a Pod ADDED, then MODIFIED to Running after a status patch, to an informer', async () => {
    const namespace = await cp.createNamespace('pods');
    const pods = await watch<V1Pod>(cp.adminKubeConfig, `/api/v1/namespaces/${namespace}/pods`, () =>
      admin.listNamespacedPod({ namespace }),
    );
    try {
      await admin.createNamespacedPod({ namespace, body: pod('web') });
      const added = await pods.next((e) => e.type === 'ADDED' && e.object.metadata?.name === 'web');
      expect(added.object.status?.phase).toBe('Pending');

      // No kubelet: the test plays its part through the status subresource.
      await admin.patchNamespacedPodStatus(
        { name: 'web', namespace, body: { status: { phase: 'Running' } } },
        mergePatch,
      );
      const modified = await pods.next((e) => e.type === 'MODIFIED');
      expect(modified.object.status?.phase).toBe('Running');
    } finally {
      await pods.stop();
    }
  });

  it('refuses the restricted user until a RoleBinding grants list', async () => {
    const namespace = await cp.createNamespace('rbac');
    await admin.createNamespacedPod({ namespace, body: pod('visible') });
    const restricted = cp.restrictedKubeConfig.makeApiClient(CoreV1Api);

    await expect(restricted.listNamespacedPod({ namespace })).rejects.toMatchObject({ code: 403 });

    await grantRestrictedUser(cp, namespace, 'pods-list', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    const list = await eventually(() => restricted.listNamespacedPod({ namespace }), 15_000);
    expect(list.items.map((p) => p.metadata?.name)).toEqual(['visible']);
  });

  it('applies a merge patch of annotations by the restricted user, seen by the admin informer', async () => {
    const namespace = await cp.createNamespace('annotate');
    await admin.createNamespacedPod({ namespace, body: pod('target') });
    const pods = await watch<V1Pod>(cp.adminKubeConfig, `/api/v1/namespaces/${namespace}/pods`, () =>
      admin.listNamespacedPod({ namespace }),
    );
    try {
      await grantRestrictedUser(cp, namespace, 'pods-patch', [{ apiGroups: [''], resources: ['pods'], verbs: ['patch'] }]);
      const restricted = cp.restrictedKubeConfig.makeApiClient(CoreV1Api);
      const body = { metadata: { annotations: { 'herald.dev/notified': 'slack' } } };
      await eventually(() => restricted.patchNamespacedPod({ name: 'target', namespace, body }, mergePatch), 15_000);

      const seen = await pods.next((e) => e.type === 'MODIFIED');
      expect(seen.object.metadata?.annotations).toMatchObject({ 'herald.dev/notified': 'slack' });
    } finally {
      await pods.stop();
    }
  });

  it('keeps an informer delivering events across a control plane restart', async () => {
    const namespace = await cp.createNamespace('restart');
    const maps = await watch<V1ConfigMap>(cp.adminKubeConfig, `/api/v1/namespaces/${namespace}/configmaps`, () =>
      admin.listNamespacedConfigMap({ namespace }),
    );
    try {
      await admin.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'before' } } });
      await maps.next((e) => e.type === 'ADDED' && e.object.metadata?.name === 'before');

      await cp.restart();
      // Objects live in etcd, whose data dir survives the restart.
      const before = await admin.readNamespacedConfigMap({ name: 'before', namespace });
      expect(before.metadata?.name).toBe('before');

      await admin.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'after' } } });
      const after = await maps.next((e) => e.type === 'ADDED' && e.object.metadata?.name === 'after');
      expect(after.object.metadata?.namespace).toBe(namespace);
    } finally {
      await maps.stop();
    }
  });

  it('serves and watches a CustomResourceDefinition', async () => {
    const group = 'test.herald.dev';
    const crd = await createNamespacedCrd(cp.adminKubeConfig, { group, kind: 'Widget', plural: 'widgets' });
    expect(crd.metadata?.name).toBe(`widgets.${group}`);
    expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');

    const namespace = await cp.createNamespace('crd');
    const custom = cp.adminKubeConfig.makeApiClient(CustomObjectsApi);
    const ref = { group, version: 'v1', namespace, plural: 'widgets' };
    // The resource is served: a list in the new namespace answers, empty.
    expect((await custom.listNamespacedCustomObject(ref)) as KubernetesListObject<Widget>).toMatchObject({ items: [] });
    const widgets = await watch<Widget>(
      cp.adminKubeConfig,
      `/apis/${group}/v1/namespaces/${namespace}/widgets`,
      () => custom.listNamespacedCustomObject(ref) as Promise<KubernetesListObject<Widget>>,
    );
    try {
      const body = { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 1 } };
      await custom.createNamespacedCustomObject({ ...ref, body });
      const added = await widgets.next((e) => e.type === 'ADDED');
      expect(added.object).toMatchObject({ kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 1 } });

      await custom.patchNamespacedCustomObject({ ...ref, name: 'w1', body: { spec: { size: 3 } } }, mergePatch);
      const modified = await widgets.next((e) => e.type === 'MODIFIED');
      expect(modified.object.spec?.size).toBe(3);
    } finally {
      await widgets.stop();
    }
  });
});

function pod(name: string): V1Pod {
  return { metadata: { name }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] } };
}

interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: T;
}

interface Watched<T> {
  /** Resolves with the first event not yet consumed that matches, waiting for it if needed. */
  next(match: (e: WatchEvent<T>) => boolean, timeoutMs?: number): Promise<WatchEvent<T>>;
  stop(): Promise<void>;
}

/**
 * A started client-node informer that records its events. The informer stops on a connection error; as
 * client-node documents, the owner restarts it after a delay.
 */
async function watch<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: () => Promise<KubernetesListObject<T>>,
): Promise<Watched<T>> {
  const informer = makeInformer<T>(kc, path, list);
  const events: WatchEvent<T>[] = [];
  let consumed = 0;
  let stopped = false;
  informer.on('add', (object) => events.push({ type: 'ADDED', object }));
  informer.on('update', (object) => events.push({ type: 'MODIFIED', object }));
  informer.on('delete', (object) => events.push({ type: 'DELETED', object }));
  informer.on('error', () => {
    if (!stopped) setTimeout(() => void (stopped || informer.start()), 500);
  });
  await informer.start();
  return {
    async next(match, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = events.findIndex((e, i) => i >= consumed && match(e));
        const found = events[index];
        if (found) {
          consumed = index + 1;
          return found;
        }
        if (Date.now() > deadline) {
          const seen = events.map((e) => `${e.type} ${e.object.metadata?.name}`).join(', ') || 'none';
          throw new Error(`no matching event on ${path} within ${timeoutMs} ms (seen: ${seen})`);
        }
        await delay(50);
      }
    },
    async stop() {
      stopped = true;
      await informer.stop();
    },
  };
}
