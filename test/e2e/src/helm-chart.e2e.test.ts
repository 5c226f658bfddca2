import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, PolicyV1Api, RbacAuthorizationV1Api, Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { createNamespacedCrd, freePort, serverSideDryRun, serviceAccountKubeconfig, startHelm, testNatsLimits, toolPath, type Helm } from '@herald/test-harness';
import { seedConfigMap } from './support/cluster-setup.ts';
import { startHerald } from './support/herald-process.ts';
import { mergePatch, notifiedKey, subscribe, waitUntil } from './support/scenario.ts';
import { useScenarioWorld } from './support/scenario-world.ts';

const chart = fileURLToPath(new URL('../../../deploy/helm/herald', import.meta.url));
const heraldMain = fileURLToPath(new URL('../../../core/cli/src/main.ts', import.meta.url));
const readmeScript = fileURLToPath(new URL('../../../scripts/helm-readme.ts', import.meta.url));
const world = useScenarioWorld();
const valuesDir = mkdtempSync(join(tmpdir(), 'herald-helm-values-'));
let helm: Helm;

beforeAll(async () => {
  helm = await startHelm();
});
afterAll(async () => {
  await helm?.close();
  rmSync(valuesDir, { recursive: true, force: true });
});

/** A values file (JSON is YAML) for `-f`. */
function valuesFile(name: string, values: Record<string, unknown>): string {
  const path = join(valuesDir, `${name}.yaml`);
  writeFileSync(path, JSON.stringify(values, null, 2));
  return path;
}

// The value sets every test of the chart's shape runs over. The namespaces they name are created by the test.
const valueSets: Record<string, Record<string, unknown>> = {
  defaults: {},
  split: { roles: { split: true, source: { replicas: 3, resources: { requests: { cpu: '50m', memory: '96Mi' } } }, sink: { podDisruptionBudget: { minAvailable: '50%' } } } },
  everything: {
    roles: { split: true },
    nats: { servers: ['tls://nats-0.nats:4222', 'tls://nats-1.nats:4222'], auth: { existingSecret: 'nats-auth', credsKey: 'herald.creds', tokenKey: 'token' }, tls: { caSecret: 'nats-ca' } },
    watch: {
      namespaces: ['shop'],
      resources: [
        { version: 'v1', resource: 'pods', kind: 'Pod' },
        { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaces: ['payments'], labelSelector: 'team=payments' },
        { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', clusterScoped: true },
      ],
      options: { watchTimeout: '2m', pageSize: 100 },
    },
    notifications: { configMap: { create: false, name: 'argo-notifications-cm' }, secret: { create: false, name: 'argo-notifications-secret' } },
    sinks: ['webhook', 'slack', 'email'],
    plugins: { extra: [{ name: '/plugins/my-sink', options: { a: 1 } }], volume: { persistentVolumeClaim: { claimName: 'herald-plugins' } } },
    config: { sink: { maxDeliver: 8 }, shutdownTimeout: '20s', nats: { partitions: 32 } },
    extraEnv: [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector:4318' }],
    extraVolumes: [{ name: 'extra', emptyDir: {} }],
    extraVolumeMounts: [{ name: 'extra', mountPath: '/var/extra' }],
    serviceMonitor: { enabled: true, labels: { release: 'prometheus' } },
    podMonitor: { enabled: true },
    prometheusRule: {
      enabled: true,
      labels: { release: 'prometheus' },
      alertLabels: { team: 'platform', severity: 'page' },
      disabled: { HeraldDeadLetters: true },
      extraRules: [{ alert: 'HeraldTooManyPods', expr: 'sum(kube_pod_info) > 5000', for: '1h', labels: { severity: 'info' }, annotations: { summary: 'Many Pods to watch.' } }],
    },
    grafanaDashboard: { enabled: true, annotations: { grafana_folder: 'Herald' } },
    networkPolicy: {
      enabled: true,
      metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      nats: { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'nats' } } }] },
      apiServer: { cidrs: ['10.0.0.1/32'] },
      sinks: [{ cidr: '203.0.113.0/24', ports: [443] }],
    },
    podAnnotations: { team: 'platform' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'herald', effect: 'NoSchedule' }],
  },
  // An external JetStream cluster with mutual TLS (a cert-manager client certificate), an nkey, R3 and placement tags.
  cluster: {
    nats: {
      servers: ['tls://nats-0.nats:4222', 'tls://nats-1.nats:4222', 'tls://nats-2.nats:4222'],
      auth: { existingSecret: 'nats-auth', nkeyKey: 'herald.nk' },
      tls: { caSecret: 'herald-nats-client', clientSecret: 'herald-nats-client' },
      replicas: 3,
      placement: { tags: ['ssd'] },
    },
  },
  'no-mirror-no-lease': { state: { mirrorAnnotations: false }, watch: { leaderElection: { enabled: false } }, roles: { allInOne: { podDisruptionBudget: { enabled: true } } } },
  'self-service': { notifications: { selfService: true } },
  autoscaling: {
    roles: {
      split: true,
      evaluator: { resources: { requests: { cpu: '100m' } }, autoscaling: { enabled: true, maxReplicas: 16 } },
      sink: {
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
        autoscaling: { enabled: true, maxReplicas: 10, targetMemoryUtilizationPercentage: 80, behavior: { scaleDown: { stabilizationWindowSeconds: 600 } } },
      },
    },
  },
};

const node = (args: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, args, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, output: stdout + stderr }));
  });

/** Each grant of the rendered Roles and ClusterRoles as `<kind> <namespace>/<name> → <subject>: <group>/<resource>[:<names>] <verbs>`, sorted. */
const grants = (objects: KubernetesObject[]) => {
  const rbac = objects as (KubernetesObject & { rules?: { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }[]; subjects?: { name: string }[]; roleRef?: { name: string } })[];
  return rbac
    .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
    .flatMap((role) => {
      const binding = rbac.find((b) => b.kind === `${role.kind}Binding` && b.roleRef!.name === role.metadata!.name && b.metadata!.namespace === role.metadata!.namespace)!;
      const where = `${role.kind} ${role.metadata!.namespace ?? ''}/${role.metadata!.name} → ${binding.subjects!.map((x) => x.name).join(',')}`;
      return role.rules!.map((r) => `${where}: ${r.apiGroups.join(',')}/${r.resources.join(',')}${r.resourceNames ? `:${r.resourceNames.join(',')}` : ''} ${r.verbs.join(',')}`);
    })
    .sort();
};

/** A watch's first event type (`ADDED` for an object that exists), or the status code it was refused with. */
const firstWatchEvent = async (kc: KubeConfig, path: string, fieldSelector?: string) => {
  let first!: (outcome: string) => void;
  const outcome = new Promise<string>((resolve) => (first = resolve));
  const controller = await new Watch(kc).watch(path, fieldSelector ? { fieldSelector } : {}, (type) => first(type), (err: { statusCode?: number } | null) => first(err ? String(err.statusCode ?? err) : 'closed'));
  const result = await outcome;
  controller.abort();
  return result;
};

const template = async (release: string, namespace: string, files: string[]) =>
  parseAllDocuments(await helm.ok(['template', release, chart, '-n', namespace, '--kube-version', '1.34.0', ...files.flatMap((f) => ['-f', f])]))
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => o !== null);

describe('the Helm chart deploy/helm/herald', () => {
  it('is Artifact Hub-ready: kubeVersion, icon, and the image annotation names the image the chart runs', async () => {
    const meta = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as { appVersion: string; kubeVersion: string; icon: string; annotations: Record<string, string> };
    expect(meta.kubeVersion).toBe('>=1.29.0-0');
    expect(meta.icon).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(parse(meta.annotations['artifacthub.io/images']!)).toEqual([{ name: 'herald', image: `herald:${meta.appVersion}` }]);
    const deployment = (await template('r', 'herald', [])).find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(deployment.spec.template.spec.containers[0]!.image).toBe(`herald:${meta.appVersion}`);
  });

  it('passes helm lint --strict with each value set', async () => {
    for (const [name, values] of Object.entries(valueSets)) {
      const r = await helm.run(['lint', '--strict', chart, '--kube-version', '1.34.0', '-f', valuesFile(name, values)]);
      expect({ name, code: r.code, out: r.stdout + r.stderr }).toMatchObject({ name, code: 0 });
    }
  });

  it("renders objects the real API server accepts (server-side dry run, strict field validation) for each value set", async () => {
    const kc = world.cp.adminKubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    const namespace = await world.cp.createNamespace('helm-dry');
    for (const name of ['shop', 'payments']) await core.createNamespace({ body: { metadata: { name } } });
    await createNamespacedCrd(kc, { group: 'monitoring.coreos.com', kind: 'ServiceMonitor', plural: 'servicemonitors' });
    await createNamespacedCrd(kc, { group: 'monitoring.coreos.com', kind: 'PodMonitor', plural: 'podmonitors' });
    await createNamespacedCrd(kc, { group: 'monitoring.coreos.com', kind: 'PrometheusRule', plural: 'prometheusrules' });
    for (const [name, values] of Object.entries(valueSets)) {
      const objects = await template('dry', namespace, [valuesFile(name, values)]);
      const answers = await serverSideDryRun(kc, objects);
      expect({ name, refused: answers.filter((a) => a.status >= 300 || a.message !== '') }).toEqual({ name, refused: [] });
      const kinds = objects.map((o) => o.kind);
      if (name === 'split') expect(kinds.filter((k) => k === 'Deployment' || k === 'PodDisruptionBudget')).toHaveLength(8);
      if (name === 'everything') expect(kinds).toEqual(expect.arrayContaining(['NetworkPolicy', 'ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'ClusterRole', 'Role']));
    }
  });

  it("renders a herald.yaml that Herald's own check accepts (herald config check)", async () => {
    for (const name of ['defaults', 'no-mirror-no-lease', 'cluster', 'self-service']) {
      const objects = await template('r', 'herald', [valuesFile(name, valueSets[name]!)]);
      const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'r-herald-config') as unknown as { data: Record<string, string> };
      const path = join(valuesDir, `${name}.herald.yaml`);
      writeFileSync(path, config.data['herald.yaml']!);
      const { code, output } = await node(['--conditions=herald-source', heraldMain, 'config', 'check', '-c', path]);
      expect({ name, code, output }).toMatchObject({ name, code: 0 });
    }
  });

  it('renders the RBAC Herald needs and nothing more, from the watched resources; split, each role only its own', async () => {
    expect(grants(await template('r', 'herald', [valuesFile('everything', valueSets.everything!)]))).toEqual(
      [
        'ClusterRole /herald-r-herald-source-watch → r-herald-source: rbac.authorization.k8s.io/clusterroles list,watch',
        'ClusterRole /herald-r-herald-evaluator-watch → r-herald-evaluator: rbac.authorization.k8s.io/clusterroles get',
        'ClusterRole /herald-r-herald-state-watch → r-herald-state: rbac.authorization.k8s.io/clusterroles patch',
        'Role shop/r-herald-source-watch → r-herald-source: /pods list,watch',
        'Role shop/r-herald-evaluator-watch → r-herald-evaluator: /pods get',
        'Role shop/r-herald-state-watch → r-herald-state: /pods patch',
        'Role payments/r-herald-source-watch → r-herald-source: apps/deployments list,watch',
        'Role payments/r-herald-evaluator-watch → r-herald-evaluator: apps/deployments get',
        'Role payments/r-herald-state-watch → r-herald-state: apps/deployments patch',
        'Role herald/r-herald-source → r-herald-source: coordination.k8s.io/leases create',
        'Role herald/r-herald-source → r-herald-source: coordination.k8s.io/leases:herald-source get,update',
        'Role herald/r-herald-evaluator → r-herald-evaluator: /configmaps:argo-notifications-cm get,list,watch',
        'Role herald/r-herald-evaluator → r-herald-evaluator: /secrets:argo-notifications-secret get,list,watch',
        'Role herald/r-herald-sink → r-herald-sink: /configmaps:argo-notifications-cm get,list,watch',
        'Role herald/r-herald-sink → r-herald-sink: /secrets:argo-notifications-secret get,list,watch',
      ].sort(),
    );
    // All in one process, one ServiceAccount with the union; without the notified annotation and the Lease, only list and watch remain.
    expect(grants(await template('r', 'herald', [valuesFile('no-mirror-no-lease', valueSets['no-mirror-no-lease']!)]))).toEqual([
      'ClusterRole /herald-r-herald-watch → r-herald: /pods list,watch',
      'Role herald/r-herald → r-herald: /configmaps:herald-notifications-cm get,list,watch',
      'Role herald/r-herald → r-herald: /secrets:herald-notifications-secret get,list,watch',
    ]);

    // deploy/rbac/herald-rbac.yaml (the manifest for installs without Helm) grants what the chart grants by default.
    const manifest = parseAllDocuments(readFileSync(new URL('../../../deploy/rbac/herald-rbac.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as KubernetesObject & { rules?: unknown[] });
    const defaults = (await template('herald', 'herald', [valuesFile('defaults', {})])) as (KubernetesObject & { rules?: unknown[] })[];
    const rulesOf = (objects: (KubernetesObject & { rules?: unknown[] })[], kind: string) => objects.filter((o) => o.kind === kind).flatMap((o) => o.rules);
    for (const kind of ['ClusterRole', 'Role']) expect({ kind, rules: rulesOf(manifest, kind) }).toEqual({ kind, rules: rulesOf(defaults, kind) });
  });

  it("with notifications.selfService: herald.yaml turns it on, and a ClusterRole grants get, list, watch on ConfigMaps and Secrets of the two names only, which the real API server honours for lists and watches by name; by default, neither", async () => {
    const notificationsOf = (objects: KubernetesObject[]) => {
      const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'r-herald-config') as unknown as { data: Record<string, string> };
      return (parse(config.data['herald.yaml']!) as { notifications: Record<string, unknown> }).notifications;
    };
    const off = await template('r', 'herald', []);
    const on = await template('r', 'herald', [valuesFile('self-service', valueSets['self-service']!)]);
    expect(notificationsOf(off)).not.toHaveProperty('selfService');
    expect(notificationsOf(on)).toEqual({ ...notificationsOf(off), selfService: true });
    expect(grants(off).filter((g) => g.startsWith('ClusterRole') && /configmaps|secrets/.test(g))).toEqual([]);
    expect(grants(on)).toEqual(
      [
        ...grants(off),
        'ClusterRole /herald-r-herald-self-service → r-herald: /configmaps:herald-notifications-cm get,list,watch',
        'ClusterRole /herald-r-herald-self-service → r-herald: /secrets:herald-notifications-secret get,list,watch',
      ].sort(),
    );
    // Split: the roles that read the config (evaluator, sink), no more; without a Secret, no Secret at all.
    const split = await template('r', 'herald', [valuesFile('self-service-split', { roles: { split: true }, notifications: { selfService: true, configMap: { create: false, name: 'argo-notifications-cm' }, secret: { create: false, name: '' } } })]);
    expect(grants(split).filter((g) => g.includes('-self-service'))).toEqual([
      'ClusterRole /herald-r-herald-evaluator-self-service → r-herald-evaluator: /configmaps:argo-notifications-cm get,list,watch',
      'ClusterRole /herald-r-herald-sink-self-service → r-herald-sink: /configmaps:argo-notifications-cm get,list,watch',
    ]);

    // deploy/rbac/herald-rbac.yaml's commented-out self-service ClusterRole grants what the chart does.
    const manifest = readFileSync(new URL('../../../deploy/rbac/herald-rbac.yaml', import.meta.url), 'utf8');
    const example = manifest.slice(manifest.indexOf('# Self-service notifications')).split('\n').filter((l) => /^# (---|\w+:|\s)/.test(l)).map((l) => l.slice(2)).join('\n');
    const exampleRules = parseAllDocuments(example).map((d) => d.toJS() as KubernetesObject & { rules?: unknown[] }).filter((o) => o?.kind === 'ClusterRole').flatMap((o) => o.rules);
    const chartRules = (on as (KubernetesObject & { rules?: unknown[] })[]).filter((o) => o.kind === 'ClusterRole' && o.metadata!.name!.endsWith('-self-service')).flatMap((o) => o.rules);
    expect(exampleRules).toEqual(chartRules);

    // As the chart's ServiceAccount, in the real API server, in a namespace other than Herald's.
    const { cp } = world;
    const core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
    const namespace = await cp.createNamespace('helm-self');
    const team = await cp.createNamespace('team');
    for (const name of ['herald-notifications-cm', 'other']) await core.createNamespacedConfigMap({ namespace: team, body: { metadata: { name }, data: { k: 'v' } } });
    for (const name of ['herald-notifications-secret', 'other']) await core.createNamespacedSecret({ namespace: team, body: { metadata: { name }, stringData: { k: 'v' } } });
    await helm.ok(['install', 'self', chart, '-n', namespace, '-f', valuesFile('self-service', valueSets['self-service']!)], cp.adminKubeconfigPath);
    const sa = (await serviceAccountKubeconfig(cp, namespace, 'self-herald')).kubeConfig;
    const asSa = sa.makeApiClient(CoreV1Api);
    const refusal = (p: Promise<unknown>) => p.then(() => 'allowed', (err: unknown) => String((err as { code?: number }).code));
    const byName = (name: string) => ({ fieldSelector: `metadata.name=${name}` });
    const listed = await asSa.listConfigMapForAllNamespaces(byName('herald-notifications-cm'));
    expect(listed.items.map((c) => `${c.metadata!.namespace}/${c.metadata!.name}`).sort()).toEqual([`${namespace}/herald-notifications-cm`, `${team}/herald-notifications-cm`].sort());
    expect({
      listsSecretsByName: await refusal(asSa.listSecretForAllNamespaces(byName('herald-notifications-secret'))),
      watchesConfigMapsByName: await firstWatchEvent(sa, '/api/v1/configmaps', byName('herald-notifications-cm').fieldSelector),
      watchesSecretsByName: await firstWatchEvent(sa, '/api/v1/secrets', byName('herald-notifications-secret').fieldSelector),
      readsSecret: await refusal(asSa.readNamespacedSecret({ name: 'herald-notifications-secret', namespace: team })),
      listsEveryConfigMap: await refusal(asSa.listConfigMapForAllNamespaces()),
      listsOtherByName: await refusal(asSa.listConfigMapForAllNamespaces(byName('other'))),
      watchesEverySecret: await firstWatchEvent(sa, '/api/v1/secrets'),
      readsOtherSecret: await refusal(asSa.readNamespacedSecret({ name: 'other', namespace: team })),
      patchesConfigMap: await refusal(asSa.patchNamespacedConfigMap({ name: 'herald-notifications-cm', namespace: team, body: { data: { k: 'w' } } }, mergePatch)),
    }).toEqual({
      listsSecretsByName: 'allowed',
      watchesConfigMapsByName: 'ADDED',
      watchesSecretsByName: 'ADDED',
      readsSecret: 'allowed',
      listsEveryConfigMap: '403',
      listsOtherByName: '403',
      watchesEverySecret: '403',
      readsOtherSecret: '403',
      patchesConfigMap: '403',
    });
    await helm.ok(['uninstall', 'self', '-n', namespace, '--wait'], cp.adminKubeconfigPath);
  });

  it("installs Herald's alerts as a PrometheusRule: the rules promtool tests (files/alerts.yaml), less those disabled, with alertLabels and the extra rules; a misspelt alert is refused", async () => {
    const file = parse(readFileSync(join(chart, 'files', 'alerts.yaml'), 'utf8')) as { groups: { name: string; rules: { alert: string; labels: Record<string, string> }[] }[] };
    expect((await template('r', 'herald', [])).map((o) => o.kind)).not.toContain('PrometheusRule');
    const everything = valueSets.everything!.prometheusRule as { extraRules: unknown[] };
    const [rule] = (await template('r', 'herald', [valuesFile('everything', valueSets.everything!)])).filter((o) => o.kind === 'PrometheusRule') as unknown as {
      metadata: { labels: Record<string, string> };
      spec: { groups: { name: string; rules: { alert: string; labels: Record<string, string> }[] }[] };
    }[];
    expect(rule!.metadata.labels).toMatchObject({ release: 'prometheus', 'app.kubernetes.io/name': 'herald' });
    // Every alert of the file but the disabled one, as written, with the team label; an alert's own severity kept.
    const expected = file.groups.map((g) => ({
      name: g.name,
      rules: g.rules.filter((r) => r.alert !== 'HeraldDeadLetters').map((r) => ({ ...r, labels: { ...r.labels, team: 'platform' } })),
    }));
    expect(rule!.spec.groups).toEqual([...expected, { name: 'herald-extra', rules: everything.extraRules }]);
    expect(rule!.spec.groups[0]!.rules.map((r) => r.labels.severity)).not.toContain('page');
    // What the chart writes is still a rule file Prometheus accepts.
    const rendered = join(valuesDir, 'rendered-rules.yaml');
    writeFileSync(rendered, JSON.stringify({ groups: rule!.spec.groups }));
    const check = spawnSync(toolPath('HERALD_PROMTOOL', 'prometheus', 'promtool'), ['check', 'rules', rendered], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain(`SUCCESS: ${file.groups[0]!.rules.length} rules found`);

    const typo = await helm.run(['template', 'r', chart, '--kube-version', '1.34.0', '-f', valuesFile('typo', { prometheusRule: { enabled: true, disabled: { HeraldDedLetters: true } } })]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('prometheusRule.disabled.HeraldDedLetters: Herald has no such alert (its alerts: HeraldNotificationsFailed, ');
  });

  it("installs Herald's Grafana dashboard for Grafana's sidecar: a ConfigMap with the sidecar's label and the dashboard the telemetry test queries", async () => {
    expect((await template('r', 'herald', [])).filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata!.name)).not.toContain('r-herald-dashboard');
    const configMap = (await template('r', 'herald', [valuesFile('everything', valueSets.everything!)])).find((o) => o.kind === 'ConfigMap' && o.metadata!.name === 'r-herald-dashboard') as unknown as {
      metadata: { namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
      data: Record<string, string>;
    };
    expect(configMap.metadata).toMatchObject({ namespace: 'herald', labels: { grafana_dashboard: '1' }, annotations: { grafana_folder: 'Herald' } });
    expect(Object.keys(configMap.data)).toEqual(['herald.json']);
    expect(JSON.parse(configMap.data['herald.json']!)).toEqual(JSON.parse(readFileSync(join(chart, 'files', 'grafana-dashboard.json'), 'utf8')));
  });

  it('scales the evaluators and the sinks with HorizontalPodAutoscalers, each on its own Deployment, which leaves its replicas to it; refuses what cannot work, naming the key', async () => {
    expect((await template('r', 'herald', [valuesFile('split', valueSets.split!)])).map((o) => o.kind)).not.toContain('HorizontalPodAutoscaler');
    const objects = await template('r', 'herald', [valuesFile('autoscaling', valueSets.autoscaling!)]);
    type Hpa = { metadata: { name: string }; spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number; metrics: { resource: { name: string; target: { averageUtilization: number } } }[]; behavior?: unknown } };
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler') as unknown as Hpa[];
    expect(hpas.map((h) => [h.metadata.name, h.spec.scaleTargetRef.kind, h.spec.scaleTargetRef.name, h.spec.minReplicas, h.spec.maxReplicas])).toEqual([
      ['r-herald-evaluator', 'Deployment', 'r-herald-evaluator', 2, 16],
      ['r-herald-sink', 'Deployment', 'r-herald-sink', 2, 10],
    ]);
    expect(hpas.map((h) => h.spec.metrics.map((m) => `${m.resource.name} ${m.resource.target.averageUtilization}%`))).toEqual([['cpu 70%'], ['cpu 70%', 'memory 80%']]);
    expect(hpas[1]!.spec.behavior).toEqual({ scaleDown: { stabilizationWindowSeconds: 600 } });
    const replicas = Object.fromEntries(objects.filter((o) => o.kind === 'Deployment').map((d) => [d.metadata!.name, (d as unknown as { spec: { replicas?: number } }).spec.replicas]));
    expect(replicas).toEqual({ 'r-herald-source': 2, 'r-herald-evaluator': undefined, 'r-herald-sink': undefined, 'r-herald-state': 2 });

    const refused = async (name: string, roles: Record<string, unknown>) => {
      const r = await helm.run(['template', 'r', chart, '--kube-version', '1.34.0', '-f', valuesFile(name, { roles })]);
      expect(r.code).toBe(1);
      return r.stderr;
    };
    expect(await refused('hpa-no-request', { split: true, sink: { autoscaling: { enabled: true } } })).toContain(
      'roles.sink.autoscaling.targetCPUUtilizationPercentage is a share of roles.sink.resources.requests.cpu, which is not set',
    );
    expect(await refused('hpa-past-partitions', { split: true, evaluator: { resources: { requests: { cpu: '1' } }, autoscaling: { enabled: true, maxReplicas: 20 } } })).toContain(
      'roles.evaluator.autoscaling.maxReplicas (20) is above the event partitions (config.nats.partitions: 16)',
    );
    expect(await refused('hpa-min-above-max', { allInOne: { resources: { requests: { cpu: '1' } }, autoscaling: { enabled: true, minReplicas: 8 } } })).toContain(
      'roles.allInOne.autoscaling.minReplicas (8) is above its maxReplicas (6)',
    );
    expect(await refused('hpa-no-target', { allInOne: { resources: { requests: { cpu: '1' } }, autoscaling: { enabled: true, targetCPUUtilizationPercentage: null } } })).toContain(
      'roles.allInOne.autoscaling needs a target',
    );
    // The source elects one watcher: more replicas would not watch faster, so it has no autoscaler to turn on.
    expect(await refused('hpa-source', { split: true, source: { autoscaling: { enabled: true } } })).toContain("- at '/roles/source': additional properties 'autoscaling' not allowed");
  });

  it('refuses a values file with an unknown key or a wrong type, naming the key path', async () => {
    const namespace = await world.cp.createNamespace('helm-bad');
    const bad = valuesFile('bad', { serviceAccount: { nmae: 'x' }, roles: { source: { replicas: '3' } }, networkPolicy: { sinks: [{ cidr: '10.0.0.0/8', ports: ['https'] }] } });
    const r = await helm.run(['install', 'bad', chart, '-n', namespace, '-f', bad], world.cp.adminKubeconfigPath);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("values don't meet the specifications of the schema");
    expect(r.stderr).toContain("- at '/serviceAccount': additional properties 'nmae' not allowed");
    expect(r.stderr).toContain("- at '/roles/source/replicas': got string, want integer");
    expect(r.stderr).toContain("- at '/networkPolicy/sinks/0/ports/0': got string, want integer");
    expect((await helm.ok(['list', '-a', '-n', namespace, '-q'], world.cp.adminKubeconfigPath)).trim()).toBe('');
  });

  it('documents every value in its README (scripts/helm-readme.ts --check)', async () => {
    expect(await node([readmeScript, '--check'])).toEqual({ code: 0, output: '' });
    expect(readFileSync(join(chart, 'README.md'), 'utf8')).toContain('| `watch.leaderElection.leaseName` | string | `"herald-source"` |');
  });

  it("split into one Deployment per role: each Deployment's command, run as a process with its role's ServiceAccount, together deliver; each role is refused what the others need", async () => {
    const { cp, nats, receiver } = world;
    const core = cp.adminKubeConfig.makeApiClient(CoreV1Api);
    const namespace = await cp.createNamespace('helm-split');
    const values = {
      roles: { split: true },
      nats: { servers: [nats.url], subjectPrefix: 'helmsplit', streamPrefix: 'HELMSPLIT' },
      watch: { namespaces: [namespace] },
      config: { nats: testNatsLimits },
      notifications: { configMap: { data: seedConfigMap(namespace, 'unused', receiver.url).data } },
    };
    await helm.ok(['install', 'split', chart, '-n', namespace, '-f', valuesFile('split-install', values)], cp.adminKubeconfigPath);
    const deployments = (await cp.adminKubeConfig.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace })).items;
    const asRole = Object.fromEntries(await Promise.all(['source', 'evaluator', 'sink', 'state'].map(async (role) => [role, await serviceAccountKubeconfig(cp, namespace, `split-herald-${role}`)] as const)));
    const config = parse((await core.readNamespacedConfigMap({ name: 'split-herald-config', namespace })).data!['herald.yaml']!) as Record<string, unknown>;
    const commands = deployments.map((d) => d.spec!.template.spec!.containers[0]!.args!);
    expect(commands.map((args) => args.join(' ')).sort()).toEqual(['evaluator', 'sink', 'source', 'state'].map((role) => `run --config /etc/herald/herald.yaml --role ${role}`));
    // Each process as its pod would run: `run --config <the chart's herald.yaml>` and the Deployment's --role;
    // only the telemetry port is left out, which four pods each have but four processes on one host cannot share.
    // Each as its own ServiceAccount, which the chart grants only what its role needs.
    const heralds = await Promise.all(
      commands.map((args) => startHerald({ ...config, telemetry: { serviceName: 'herald' } }, { KUBECONFIG: asRole[args.at(-1)!]!.kubeconfigPath, POD_NAMESPACE: namespace }, args.slice(3))),
    );
    try {
      const name = 'split-pod';
      await core.createNamespacedPod({ namespace, body: { metadata: { name, annotations: { [subscribe('on-pod-ready.webhook')]: '' } }, spec: { containers: [{ name: 'app', image: 'app' }] } } });
      await core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase: 'Running' } } }, mergePatch);
      await receiver.waitFor(1, (r) => r.body === `Pod ${name} is ready!\n`);
      await waitUntil(
        async () => (await core.readNamespacedPod({ name, namespace })).metadata?.annotations?.[notifiedKey],
        (v) => v !== undefined,
        'the state role never wrote the notified annotation',
      );
      // Enough: no role met a refusal on the way (Herald logs each one, naming what it needs).
      expect(heralds.flatMap((h) => h.logs().split('\n').filter((l) => /forbidden|Herald needs/i.test(l)))).toEqual([]);
    } finally {
      expect(await Promise.all(heralds.map((h) => h.stop()))).toEqual([0, 0, 0, 0]);
    }
    const refusal = (p: Promise<unknown>) => p.then(() => 'allowed', (err: unknown) => String((err as { code?: number }).code));
    const api = (role: string) => asRole[role]!.kubeConfig.makeApiClient(CoreV1Api);
    const cm = { name: 'herald-notifications-cm', namespace };
    expect({
      sinkListsPods: await refusal(api('sink').listNamespacedPod({ namespace })),
      stateListsPods: await refusal(api('state').listNamespacedPod({ namespace })),
      evaluatorPatchesPods: await refusal(api('evaluator').patchNamespacedPod({ name: 'split-pod', namespace, body: { metadata: { labels: { x: 'y' } } } }, mergePatch)),
      sourceReadsConfig: await refusal(api('source').readNamespacedConfigMap(cm)),
      stateReadsConfig: await refusal(api('state').readNamespacedConfigMap(cm)),
      sinkReadsConfig: await refusal(api('sink').readNamespacedConfigMap(cm)),
      // A refused read of an object's live annotation is silent (the event's copy is used): checked here.
      evaluatorReadsPod: await refusal(api('evaluator').readNamespacedPod({ name: 'split-pod', namespace })),
    }).toEqual({ sinkListsPods: '403', stateListsPods: '403', evaluatorPatchesPods: '403', sourceReadsConfig: '403', stateReadsConfig: '403', sinkReadsConfig: 'allowed', evaluatorReadsPod: 'allowed' });
  });

  it("installs into the real API server; Herald, as the chart's ServiceAccount with the chart's herald.yaml and notification ConfigMap, delivers the reference scenario; what the chart does not grant is refused; upgrade rolls; uninstall leaves nothing", async () => {
    const { cp, nats, receiver } = world;
    const admin = cp.adminKubeConfig;
    const core = admin.makeApiClient(CoreV1Api);
    const apps = admin.makeApiClient(AppsV1Api);
    const namespace = await cp.createNamespace('helm');
    const release = 'herald';
    const values = {
      nats: { servers: [nats.url], subjectPrefix: 'helm', streamPrefix: 'HELM' },
      config: { nats: testNatsLimits },
      telemetry: { port: await freePort() },
      notifications: { configMap: { data: seedConfigMap(namespace, 'unused', receiver.url).data } },
    };
    const install = valuesFile('install', values);
    await helm.ok(['install', release, chart, '-n', namespace, '-f', install], cp.adminKubeconfigPath);

    // The release's objects are in the API server.
    const deployment = await apps.readNamespacedDeployment({ name: 'herald', namespace });
    const container = deployment.spec!.template.spec!.containers[0]!;
    expect(deployment.spec!.template.spec!.serviceAccountName).toBe('herald');
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.env!.map((e) => e.name)).toEqual(expect.arrayContaining(['POD_NAME', 'POD_NAMESPACE', 'POD_UID', 'NODE_NAME', 'HERALD_PLUGINS_PATH']));
    expect(container.ports).toEqual([{ name: 'telemetry', containerPort: values.telemetry.port, protocol: 'TCP' }]);

    // Herald as an OS process, exactly as the pod would run it: the chart's ServiceAccount (token from the
    // TokenRequest API), the chart's herald.yaml read back from its ConfigMap, the chart's notification ConfigMap.
    const sa = await serviceAccountKubeconfig(cp, namespace, 'herald');
    const rendered = (await core.readNamespacedConfigMap({ name: 'herald-config', namespace })).data!['herald.yaml']!;
    const herald = await startHerald(parse(rendered) as Record<string, unknown>, { KUBECONFIG: sa.kubeconfigPath, POD_NAMESPACE: namespace });
    try {
      const name = 'webhook-5bd87bd4f-w7m46';
      await core.createNamespacedPod({ namespace, body: { metadata: { name, annotations: { [subscribe('on-pod-ready.webhook')]: '' } }, spec: { containers: [{ name: 'webhook', image: 'webhook' }] } } });
      await core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase: 'Running' } } }, mergePatch);
      const [request] = await receiver.waitFor(1, (r) => r.body === `Pod ${name} is ready!\n`);
      expect(request).toMatchObject({ method: 'GET', path: '/webhook/' });
      // patch granted: the notified annotation is written, as the ServiceAccount.
      await waitUntil(
        async () => (await core.readNamespacedPod({ name, namespace })).metadata?.annotations?.[notifiedKey],
        (v) => v !== undefined,
        'the notified annotation was never written',
      );
      // The probes' paths answer on the port the Deployment names, served by Herald from the rendered config.
      for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
        expect(probe!.httpGet!.port).toBe('telemetry');
        const answer = await fetch(`http://127.0.0.1:${values.telemetry.port}${probe!.httpGet!.path}`);
        expect({ path: probe!.httpGet!.path, status: answer.status }).toEqual({ path: probe!.httpGet!.path, status: 200 });
      }
      expect(herald.logs().split('\n').filter((l) => /forbidden|Herald needs/i.test(l))).toEqual([]);
      // The Lease the chart grants is the one Herald holds.
      const lease = await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'herald-source', namespace });
      expect(lease.spec?.holderIdentity).toBeTruthy();
    } finally {
      expect(await herald.stop()).toBe(0);
    }

    // What the chart does not grant, the ServiceAccount cannot do.
    const asSa = sa.kubeConfig.makeApiClient(CoreV1Api);
    const refusal = (p: Promise<unknown>) => p.then(() => 'allowed', (err: unknown) => String((err as { code?: number }).code));
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'other' }, stringData: { k: 'v' } } });
    expect(await refusal(asSa.deleteNamespacedPod({ name: 'webhook-5bd87bd4f-w7m46', namespace }))).toBe('403');
    expect(await refusal(asSa.listNamespacedSecret({ namespace }))).toBe('403');
    expect(await refusal(asSa.readNamespacedSecret({ name: 'other', namespace }))).toBe('403');
    expect(await refusal(asSa.patchNamespacedConfigMap({ name: 'herald-notifications-cm', namespace, body: { data: { x: 'y' } } }, mergePatch))).toBe('403');
    expect(await refusal(asSa.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'mine' } } }))).toBe('403');
    // …while what it grants works.
    expect(await refusal(asSa.readNamespacedSecret({ name: 'herald-notifications-secret', namespace }))).toBe('allowed');

    // helm upgrade with a changed notification ConfigMap: the pod template's checksum changes, so the pods roll.
    const checksums = async () => (await apps.readNamespacedDeployment({ name: 'herald', namespace })).spec!.template.metadata!.annotations!;
    const before = await checksums();
    const changed = valuesFile('changed', { ...values, notifications: { configMap: { data: { ...values.notifications.configMap.data, 'template.pod-ready': 'webhook:\n  webhook:\n    method: GET\n    path: /\n    body: changed\n' } } } });
    await helm.ok(['upgrade', release, chart, '-n', namespace, '-f', changed], cp.adminKubeconfigPath);
    const after = await checksums();
    expect(after['checksum/notifications']).not.toBe(before['checksum/notifications']);
    expect(after['checksum/config']).toBe(before['checksum/config']);
    expect((await core.readNamespacedConfigMap({ name: 'herald-notifications-cm', namespace })).data!['template.pod-ready']).toContain('body: changed');

    // helm uninstall: nothing of the release is left, in its namespace or cluster-wide.
    await helm.ok(['uninstall', release, '-n', namespace, '--wait'], cp.adminKubeconfigPath);
    const selector = { labelSelector: `app.kubernetes.io/instance=${release}` };
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    const left = {
      deployments: (await apps.listNamespacedDeployment({ namespace, ...selector })).items,
      configMaps: (await core.listNamespacedConfigMap({ namespace, ...selector })).items,
      secrets: (await core.listNamespacedSecret({ namespace, ...selector })).items,
      releaseSecrets: (await core.listNamespacedSecret({ namespace, labelSelector: `owner=helm,name=${release}` })).items,
      serviceAccounts: (await core.listNamespacedServiceAccount({ namespace, ...selector })).items,
      services: (await core.listNamespacedService({ namespace, ...selector })).items,
      roles: (await rbac.listNamespacedRole({ namespace, ...selector })).items,
      roleBindings: (await rbac.listNamespacedRoleBinding({ namespace, ...selector })).items,
      clusterRoles: (await rbac.listClusterRole(selector)).items.filter((r) => r.metadata!.name!.startsWith(`${namespace}-`)),
      clusterRoleBindings: (await rbac.listClusterRoleBinding(selector)).items.filter((r) => r.metadata!.name!.startsWith(`${namespace}-`)),
      pdbs: (await admin.makeApiClient(PolicyV1Api).listNamespacedPodDisruptionBudget({ namespace, ...selector })).items,
    };
    expect(Object.entries(left).filter(([, items]) => items.length > 0).map(([kind]) => kind)).toEqual([]);
  });
});
