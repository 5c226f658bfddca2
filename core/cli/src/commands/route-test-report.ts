import type { NotifiedEntry } from '@herald/core-dedup';
import { Evaluator, planProblems, resolveSubscriptions, type NotificationConfig } from '@herald/core-evaluator';
import type { ObjectRef } from '@herald/plugin-sdk';
import { table } from './table.ts';

/** Where the dedup state of a route test came from. */
export interface DedupSource {
  from: 'bucket' | 'annotation';
  /** The server, or why the bucket was not read. */
  detail: string;
}

export interface RouteReport {
  object: { kind: string; namespace: string | null; name: string; uid: string | null };
  /** `config`: the namespace whose own config (self-service) it comes from; null for Herald's own. */
  subscriptions: { trigger: string; destination: string; serviceType: string; origin: string; config: string | null }[];
  conditions: { trigger: string; key: string; when: string; triggered: boolean; oncePer: string | null; templates: readonly string[]; problem: string | null; config: string | null }[];
  decisions: { trigger: string; condition: string; destination: string; stateKey: string; triggered: boolean; notified: NotifiedEntry | null; send: boolean; config: string | null }[];
  /** `service:recipient` of every destination that would be sent a notification now. */
  destinations: string[];
  dedup: DedupSource;
  problems: string[];
  expect?: { expected: string[]; missing: string[]; unexpected: string[]; ok: boolean };
}

/**
 * `service:recipient`, as subscriptions and `--expect` write destinations; a namespace's own service (self-service)
 * is `<namespace>/service:recipient`, the destination the sink sees.
 */
export const destinationName = (d: { service: string; recipient: string; configNamespace?: string | undefined }) => `${d.configNamespace ? `${d.configNamespace}/` : ''}${d.service}:${d.recipient}`;

/** The object's reference from its metadata; no uid (a hand-written file) means no claims can be looked up. */
export function objectRef(object: Readonly<Record<string, unknown>>): ObjectRef | undefined {
  const meta = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown; uid?: unknown };
  if (typeof meta.uid !== 'string' || !meta.uid || typeof meta.name !== 'string' || !meta.name) return undefined;
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : 'v1';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const kind = typeof object.kind === 'string' ? object.kind : '';
  return { group: group!, version: version!, resource: `${kind.toLowerCase()}s`, kind, name: meta.name, uid: meta.uid, ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}) };
}

/**
 * Who this object would notify now: its subscriptions (annotations and the config's global ones), every
 * condition of their triggers, and per (condition, destination) what dedup holds. A triggered condition
 * sends unless dedup already holds its key, as the evaluator decides. `configs`: Herald's own, and with
 * self-service the object's namespace's (each planned on its own, as the evaluator does).
 */
export async function routeReport(
  configs: ReadonlyArray<{ config: NotificationConfig; namespace?: string | undefined }>,
  object: Readonly<Record<string, unknown>>,
  options: { varName: string; annotationPrefix: string },
  dedup: { source: DedupSource; lookup: (stateKeys: string[]) => Promise<Map<string, NotifiedEntry>> },
): Promise<RouteReport> {
  const plans = configs.map(({ config, namespace }) => {
    const evaluator = new Evaluator(config, { varName: options.varName, annotationPrefix: options.annotationPrefix, ...(namespace ? { configNamespace: namespace } : {}) });
    // The action is the engine's variable; an object read now is as if modified.
    return { evaluator, plan: evaluator.plan(object, { herald: { action: 'MODIFIED' } }), subscriptions: resolveSubscriptions(config, object, options.annotationPrefix).subscriptions, namespace: namespace ?? null };
  });
  const planned = plans.flatMap((p) => p.plan.decisions);
  const notified = await dedup.lookup(planned.map((d) => d.stateKey));
  const conditions = new Map<string, RouteReport['conditions'][number]>();
  for (const d of planned) {
    const c = d.condition;
    const config = d.destination.configNamespace ?? null;
    conditions.set(`${config ?? ''}\u0000${d.trigger}\u0000${c.key}`, { trigger: d.trigger, key: c.key, when: c.when, triggered: c.triggered, oncePer: c.oncePer ?? null, templates: c.templates, problem: c.problem ?? null, config });
  }
  const decisions = planned.map((d) => {
    const held = notified.get(d.stateKey) ?? null;
    return { trigger: d.trigger, condition: d.condition.key, destination: destinationName(d.destination), stateKey: d.stateKey, triggered: d.triggered, notified: held, send: d.triggered && held === null, config: d.destination.configNamespace ?? null };
  });
  const meta = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown; uid?: unknown };
  return {
    object: {
      kind: typeof object.kind === 'string' ? object.kind : '',
      namespace: typeof meta.namespace === 'string' ? meta.namespace : null,
      name: typeof meta.name === 'string' ? meta.name : '',
      uid: typeof meta.uid === 'string' ? meta.uid : null,
    },
    subscriptions: plans.flatMap((p) =>
      p.subscriptions.map((s) => ({ trigger: s.trigger, destination: destinationName({ ...s.destination, configNamespace: p.namespace ?? undefined }), serviceType: s.destination.serviceType, origin: s.origin, config: p.namespace })),
    ),
    conditions: [...conditions.values()],
    decisions,
    destinations: [...new Set(decisions.filter((d) => d.send).map((d) => d.destination))].sort(),
    dedup: dedup.source,
    problems: [...planProblems(plans)],
  };
}

/** Compares the destinations that would be notified with `--expect`'s. */
export function checkExpected(report: RouteReport, expected: readonly string[]): NonNullable<RouteReport['expect']> {
  const want = [...new Set(expected)].sort();
  const missing = want.filter((d) => !report.destinations.includes(d));
  const unexpected = report.destinations.filter((d) => !want.includes(d));
  return { expected: want, missing, unexpected, ok: missing.length === 0 && unexpected.length === 0 };
}

export function routeReportText(r: RouteReport): string {
  const where = r.object.namespace ? `${r.object.namespace}/${r.object.name}` : r.object.name;
  const parts = [`${r.object.kind} ${where}${r.object.uid ? ` (uid ${r.object.uid})` : ''}\n`];
  // With a namespace's own config (self-service), each row says whose config it is.
  const namespaced = r.subscriptions.some((s) => s.config !== null);
  const whose = (config: string | null) => (namespaced ? [config ?? '(herald)'] : []);
  parts.push(
    r.subscriptions.length
      ? `\nSubscriptions:\n${table([[...whose('CONFIG'), 'TRIGGER', 'DESTINATION', 'TYPE', 'FROM'], ...r.subscriptions.map((s) => [...whose(s.config), s.trigger, s.destination, s.serviceType, s.origin])])}`
      : '\nSubscriptions: none (no subscribe annotation, and no global subscription matches its labels)\n',
  );
  if (r.conditions.length) {
    parts.push(`\nConditions:\n${table([[...whose('CONFIG'), 'TRIGGER', 'CONDITION', 'RESULT', 'ONCEPER', 'TEMPLATES', 'WHEN'], ...r.conditions.map((c) => [...whose(c.config), c.trigger, c.key, String(c.triggered), c.oncePer ?? '', c.templates.join(','), c.when])])}`);
  }
  if (r.decisions.length) {
    const state = (d: RouteReport['decisions'][number]) => (d.notified ? `${d.notified.status} ${new Date(d.notified.at * 1000).toISOString()} (${d.notified.from})` : '-');
    const verdict = (d: RouteReport['decisions'][number]) => (d.send ? 'send' : d.triggered ? 'already notified' : 'no');
    parts.push(`\nDestinations:\n${table([['TRIGGER', 'CONDITION', 'DESTINATION', 'NOTIFIED', 'SEND'], ...r.decisions.map((d) => [d.trigger, d.condition, d.destination, state(d), verdict(d)])])}`);
  }
  for (const p of r.problems) parts.push(`warning: ${p}\n`);
  parts.push(`\ndedup state: from the ${r.dedup.from === 'bucket' ? 'state bucket' : 'notified annotation'} (${r.dedup.detail})\n`);
  parts.push(`would notify: ${r.destinations.length ? r.destinations.join(', ') : 'nobody'}\n`);
  if (r.expect) {
    parts.push(
      r.expect.ok
        ? `expected: ${r.expect.expected.join(', ') || 'nobody'}: ok\n`
        : `expected: ${r.expect.expected.join(', ') || 'nobody'}: MISMATCH${r.expect.missing.length ? `; not notified: ${r.expect.missing.join(', ')}` : ''}${r.expect.unexpected.length ? `; notified but not expected: ${r.expect.unexpected.join(', ')}` : ''}\n`,
    );
  }
  return parts.join('');
}
